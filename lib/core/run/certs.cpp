#include "certs.hpp"

#include <util/clock.hpp>
#include <util/fd.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace slipway::core {

namespace {

const char* const k_openssl = "/usr/bin/openssl";

struct OpensslResult
{
  bool ok = false;
  std::string output; // stdout and stderr
};

// Run openssl with `input` on its stdin. An error only when it cannot run at all.
util::Result<OpensslResult>
openssl(const std::vector<std::string>& args, const std::string& input)
{
  if (::access(k_openssl, X_OK) != 0) {
    return util::error("openssl is not installed (" + std::string(k_openssl) +
                       "): certificates cannot be read; install it (apt-get install openssl)");
  }
  util::Fd in(::memfd_create("slipway-openssl", MFD_CLOEXEC));
  if (!in || ::write(in.get(), input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
      ::lseek(in.get(), 0, SEEK_SET) != 0) {
    return util::error(util::errno_message("cannot hand a certificate to", "openssl"));
  }
  util::ProcessSpec spec;
  spec.argv = {k_openssl};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  spec.timeout_seconds = 30;
  spec.stdin_fd = in.get();
  OpensslResult out;
  SW_TRY_ASSIGN(auto r, util::run_process(spec, [&](std::string_view line) { out.output += std::string(line) + "\n"; }));
  out.ok = r.success();
  return out;
}

// The value after "KEY=" on the line that starts with it.
std::string
field(const std::string& text, const std::string& key)
{
  for (const auto& line : util::split(text, '\n')) {
    if (line.starts_with(key + "=")) {
      return std::string(util::trim(line.substr(key.size() + 1)));
    }
  }
  return "";
}

// "2026-12-07 21:00:00Z" (openssl's iso_8601) as 2026-12-07T21:00:00Z.
std::string
iso(const std::string& openssl_date)
{
  std::string s = openssl_date;
  std::replace(s.begin(), s.end(), ' ', 'T');
  return s;
}

std::string
lowercase(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool
is_pem_key(const std::string& pem)
{
  return pem.find("-----BEGIN ") != std::string::npos && pem.find("PRIVATE KEY-----") != std::string::npos;
}

} // namespace

util::Result<CertInfo>
inspect_certificate(const std::string& cert_pem, const std::string& what)
{
  SW_TRY_ASSIGN(auto r, openssl({"x509", "-noout", "-subject", "-issuer", "-dates", "-dateopt", "iso_8601",
                                  "-nameopt", "RFC2253", "-ext", "subjectAltName"},
                                 cert_pem));
  if (!r.ok || cert_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return util::error(what + " is not a PEM certificate (-----BEGIN CERTIFICATE-----)", 2);
  }
  CertInfo info;
  info.subject = field(r.output, "subject");
  info.issuer = field(r.output, "issuer");
  info.not_before = iso(field(r.output, "notBefore"));
  info.not_after = iso(field(r.output, "notAfter"));
  util::parse_iso8601(info.not_after, info.expires);
  auto san = r.output.find("Subject Alternative Name:");
  if (san != std::string::npos) {
    auto line_start = r.output.find('\n', san);
    auto line_end = r.output.find('\n', line_start + 1);
    std::string names = r.output.substr(line_start + 1, line_end - line_start - 1);
    for (const auto& part : util::split(names, ',')) {
      std::string p(util::trim(part));
      if (p.starts_with("DNS:")) {
        info.hosts.push_back(lowercase(p.substr(4)));
      }
    }
  }
  if (info.hosts.empty()) {
    for (const auto& part : util::split(info.subject, ',')) {
      if (util::trim(part).starts_with("CN=")) {
        info.hosts.push_back(lowercase(std::string(util::trim(part)).substr(3)));
      }
    }
  }
  return info;
}

bool
cert_covers(const std::vector<std::string>& names, const std::string& host)
{
  for (const auto& n : names) {
    if (n == host) {
      return true;
    }
    auto dot = host.find('.');
    if (n.starts_with("*.") && dot != std::string::npos && dot > 0 && n.substr(1) == host.substr(dot)) {
      return true;
    }
  }
  return false;
}

util::Result<CertInfo>
check_certificate(const std::string& chain_pem,
                  const std::string& key_pem,
                  const std::vector<std::string>& hosts,
                  const std::string& cert_name,
                  const std::string& key_name,
                  const std::string& whose)
{
  SW_TRY_ASSIGN(CertInfo info, inspect_certificate(chain_pem, cert_name));
  if (key_pem.find("ENCRYPTED") != std::string::npos) {
    return util::error("the key in " + key_name + " is protected by a passphrase; give it without one (openssl pkey -in " +
                           key_name + " -out plain.key)",
                       2);
  }
  SW_TRY_ASSIGN(auto key_pub, openssl({"pkey", "-pubout", "-passin", "pass:"}, key_pem));
  if (!key_pub.ok || !is_pem_key(key_pem)) {
    return util::error(key_name + " is not a PEM private key (-----BEGIN PRIVATE KEY-----)", 2);
  }
  SW_TRY_ASSIGN(auto cert_pub, openssl({"x509", "-noout", "-pubkey"}, chain_pem));
  if (!cert_pub.ok || cert_pub.output != key_pub.output) {
    return util::error("the key in " + key_name + " does not belong to the certificate in " + cert_name, 2);
  }
  if (info.expires <= std::time(nullptr)) {
    return util::error("the certificate in " + cert_name + " expired on " + info.not_after + "; get a new one", 2);
  }
  bool any = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) { return cert_covers(info.hosts, h); });
  if (!any) {
    return util::error("the certificate in " + cert_name + " is for " + util::join(info.hosts, ", ") +
                           ", none of " + whose + " hosts (" + util::join(hosts, ", ") +
                           "); add the domain first (slipway domains:add)",
                       2);
  }
  return info;
}

util::Status
store_custom_certificate(const std::string& dir, const std::string& chain_pem, const std::string& key_pem)
{
  SW_TRY(util::make_dirs(dir, 0700));
  auto with_newline = [](std::string s) { return s.empty() || s.back() == '\n' ? s : s + "\n"; };
  return util::write_file_atomic(dir + "/custom.pem", with_newline(chain_pem) + with_newline(key_pem), 0600);
}

util::Result<std::vector<CertInfo>>
list_certificates(const std::string& dir)
{
  std::vector<CertInfo> out;
  for (const auto& [file, pem] : certificate_files(dir)) {
    std::string base = file.substr(file.rfind('/') + 1);
    SW_TRY_ASSIGN(CertInfo info, inspect_certificate(pem, file));
    info.file = file;
    info.name = base == "custom.pem" ? "custom" : base.substr(0, base.size() - 4);
    out.push_back(info);
  }
  std::stable_partition(out.begin(), out.end(), [](const CertInfo& c) { return c.name == "custom"; });
  return out;
}

std::map<std::string, std::string>
certificate_files(const std::string& dir)
{
  std::map<std::string, std::string> out;
  std::string custom = dir + "/custom.pem";
  if (auto pem = util::read_file(custom)) {
    out[custom] = *pem;
  }
  auto names = util::list_dir(dir + "/auto");
  for (const auto& name : names ? *names : std::vector<std::string>{}) {
    std::string file = dir + "/auto/" + name;
    if (name.ends_with(".pem")) {
      if (auto pem = util::read_file(file)) {
        out[file] = *pem;
      }
    }
  }
  return out;
}

util::Result<std::string>
self_signed_certificate(const std::string& cn)
{
  SW_TRY_ASSIGN(auto r, openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                  "-days", "3650", "-subj", "/CN=" + cn, "-keyout", "/dev/stdout", "-out",
                                  "/dev/stdout"},
                                 ""));
  if (!r.ok || r.output.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return util::error("openssl could not make a self-signed certificate: " + std::string(util::trim(r.output)));
  }
  return r.output;
}

util::Status
remove_custom_certificate(const std::string& dir, const std::string& owner)
{
  std::string custom = dir + "/custom.pem";
  if (!util::path_exists(custom)) {
    return util::error(owner + " has no certificate added with certs:add", 2);
  }
  if (::unlink(custom.c_str()) != 0) {
    return util::error(util::errno_message("cannot remove", custom));
  }
  return {};
}

} // namespace slipway::core
