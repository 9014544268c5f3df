// TLS certificates, which the router serves by SNI, in a directory of their owner's (root's,
// 0700): an app's (AppPaths::certs) or the server's (ServePaths::certs, for the API host and
// wildcards over APP.<domain>). One added by hand (certs:add, custom.pem) and, for apps,
// automatic ones from ACME (auto/HOST.pem, acme.hpp). Each file is the PEM chain followed by
// its key, as HAProxy reads it.
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
// that belongs to it, not expired, covering at least one of `hosts` (`whose`: "the app's").
// Usage errors (exit 2) naming `cert_name` and `key_name` (the files as the user gave them).
util::Result<CertInfo> check_certificate(const std::string& chain_pem,
                                         const std::string& key_pem,
                                         const std::vector<std::string>& hosts,
                                         const std::string& cert_name,
                                         const std::string& key_name,
                                         const std::string& whose = "the app's");

// Store a checked chain and key as the custom certificate in `dir` (replacing one there).
util::Status store_custom_certificate(const std::string& dir, const std::string& chain_pem, const std::string& key_pem);

// Every certificate in `dir`, custom first, then the automatic ones by host.
util::Result<std::vector<CertInfo>> list_certificates(const std::string& dir);

// The certificate files in `dir` and their contents (file -> PEM), for the router.
std::map<std::string, std::string> certificate_files(const std::string& dir);

// A new self-signed certificate for `cn` and its key (PEM, key first), valid ten years: what
// the router shows a client whose host has no certificate.
util::Result<std::string> self_signed_certificate(const std::string& cn);

// Remove the custom certificate in `dir`; an error (exit 2) naming `owner` when there is none.
util::Status remove_custom_certificate(const std::string& dir, const std::string& owner);

} // namespace slipway::core
