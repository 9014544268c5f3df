// An app's TLS certificates, which the router serves by SNI: one added by hand (certs:add,
// apps/APP/certs/custom.pem) and automatic ones from ACME (auto/HOST.pem, acme.hpp). Each file
// is the PEM chain followed by its key, as HAProxy reads it; the directory is root's (0700).
// Certificates are read with the openssl command, never parsed here.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace slipway::core {

struct CertInfo
{
  std::string name;               // "custom", or the host of an automatic one
  std::string file;               // its .pem (chain and key)
  std::vector<std::string> hosts; // the DNS names it covers (subjectAltName, else its CN)
  std::string subject, issuer;
  std::string not_before, not_after; // ISO 8601
  std::time_t expires = 0;
};

// What the certificate `cert_pem` (the first of a chain) says about itself. An error naming
// `what` when it is not a PEM certificate.
util::Result<CertInfo> inspect_certificate(const std::string& cert_pem, const std::string& what);

// Whether a certificate for `names` (wildcards "*.example.com" cover one label) covers `host`.
bool cert_covers(const std::vector<std::string>& names, const std::string& host);

// Check a chain and key as certs:add must: a PEM certificate, a PEM key without passphrase
// that belongs to it, not expired, covering at least one of `hosts`. Usage errors (exit 2)
// naming `cert_name` and `key_name` (the files as the user gave them).
util::Result<CertInfo> check_certificate(const std::string& chain_pem,
                                         const std::string& key_pem,
                                         const std::vector<std::string>& hosts,
                                         const std::string& cert_name,
                                         const std::string& key_name);

// Store a checked chain and key as the app's custom certificate (replacing one there).
util::Status store_custom_certificate(const AppPaths& paths, const std::string& chain_pem, const std::string& key_pem);

// Every certificate the app has, custom first, then the automatic ones by host.
util::Result<std::vector<CertInfo>> list_certificates(const AppPaths& paths);

// The app's certificate files and their contents (file -> PEM), for the router.
std::map<std::string, std::string> certificate_files(const AppPaths& paths);

// A new self-signed certificate for `cn` and its key (PEM, key first), valid ten years: what
// the router shows a client whose host has no certificate.
util::Result<std::string> self_signed_certificate(const std::string& cn);

// Remove the custom certificate; an error (exit 2) when there is none.
util::Status remove_custom_certificate(const AppPaths& paths);

} // namespace slipway::core
