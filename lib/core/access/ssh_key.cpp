#include "ssh_key.hpp"

#include <util/base64.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <array>
#include <optional>

namespace slipway::core {

namespace {

const std::array<std::string_view, 5> k_types = {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                                 "ecdsa-sha2-nistp521", "ssh-rsa"};

bool
known_type(std::string_view t)
{
  for (auto k : k_types) {
    if (t == k) {
      return true;
    }
  }
  return false;
}

// SSH wire format (RFC 4251): uint32 length, then that many bytes.
struct Reader
{
  std::string_view data;

  std::optional<std::string_view>
  string()
  {
    if (data.size() < 4) {
      return std::nullopt;
    }
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(data[i])); };
    uint32_t n = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
    if (data.size() - 4 < n) {
      return std::nullopt;
    }
    auto s = data.substr(4, n);
    data.remove_prefix(4 + n);
    return s;
  }
};

// Bits of a positive mpint (big-endian, maybe a leading zero byte).
unsigned
mpint_bits(std::string_view n)
{
  while (!n.empty() && n[0] == 0) {
    n.remove_prefix(1);
  }
  if (n.empty()) {
    return 0;
  }
  unsigned top = static_cast<unsigned char>(n[0]), bits = 0;
  while (top) {
    ++bits;
    top >>= 1;
  }
  return static_cast<unsigned>((n.size() - 1) * 8) + bits;
}

// The key's size in bits, or an error when the blob does not hold a key of `type`.
util::Result<unsigned>
check_blob(const std::string& type, std::string_view blob)
{
  Reader r{blob};
  auto t = r.string();
  auto bad = util::error("the key's data is not a valid " + type + " key (damaged in copying?)");
  if (!t || *t != type) {
    return bad;
  }
  if (type == "ssh-ed25519") {
    auto k = r.string();
    return k && k->size() == 32 && r.data.empty() ? util::Result<unsigned>(256) : bad;
  }
  if (type == "ssh-rsa") {
    auto e = r.string();
    auto n = r.string();
    return e && n && r.data.empty() ? util::Result<unsigned>(mpint_bits(*n)) : bad;
  }
  auto curve = r.string();
  auto point = r.string();
  if (!curve || !point || !r.data.empty() || "ecdsa-sha2-" + std::string(*curve) != type) {
    return bad;
  }
  return type == "ecdsa-sha2-nistp256" ? 256u : type == "ecdsa-sha2-nistp384" ? 384u : 521u;
}

} // namespace

bool
looks_private(std::string_view text)
{
  return text.find("PRIVATE KEY-----") != std::string_view::npos;
}

util::Result<SshKey>
parse_public_key(std::string_view text)
{
  if (looks_private(text)) {
    return util::error("this is a PRIVATE key: it must never leave your machine (if it was sent anywhere, make a new "
                       "one); add the public key, the .pub file beside it");
  }
  std::vector<std::string> lines;
  for (const auto& l : util::split(text, '\n')) {
    if (!util::trim(l).empty()) {
      lines.push_back(std::string(util::trim(l)));
    }
  }
  if (lines.size() != 1) {
    return util::error(lines.empty() ? "no key given; give an OpenSSH public key like 'ssh-ed25519 AAAA... you@host'"
                                     : "give one key at a time, not " + std::to_string(lines.size()) + " lines");
  }
  std::vector<std::string> words;
  for (const auto& w : util::split(lines[0], ' ')) {
    if (!w.empty()) {
      words.push_back(w);
    }
  }
  if (words.size() < 2 || !known_type(words[0])) {
    for (size_t i = 1; i < words.size(); ++i) {
      if (known_type(words[i])) {
        return util::error("the key has options in front of it ('" + util::printable(words[0].substr(0, 40)) +
                           "'); give the key alone: Slipway writes the options itself");
      }
    }
    if (!words.empty() && (words[0] == "ssh-dss" || words[0] == "ssh-dsa")) {
      return util::error("DSA keys are refused (OpenSSH no longer accepts them); make an ed25519 key: ssh-keygen -t "
                         "ed25519");
    }
    return util::error("not an OpenSSH public key; expected a line like 'ssh-ed25519 AAAA... you@host' (types: "
                       "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa)");
  }
  SshKey key;
  key.type = words[0];
  key.base64 = words[1];
  for (size_t i = 2; i < words.size(); ++i) {
    key.comment += (i > 2 ? " " : "") + words[i];
  }
  auto blob = util::base64_decode(key.base64);
  if (!blob) {
    return util::error("the key's data is not base64 (damaged in copying?)");
  }
  SW_TRY_ASSIGN(key.bits, check_blob(key.type, *blob));
  if (key.type == "ssh-rsa" && key.bits < 2048) {
    return util::error(fmt::format("an RSA key of {} bits is too weak; use at least 2048 bits, or better ed25519: "
                                   "ssh-keygen -t ed25519",
                                   key.bits));
  }
  unsigned char digest[SHA256_DIGEST_SIZE];
  util::Sha256 h;
  h.update(*blob);
  h.digest(digest);
  key.fingerprint =
      "SHA256:" + util::base64_encode_unpadded(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
  return key;
}

} // namespace slipway::core
