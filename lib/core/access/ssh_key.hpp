// OpenSSH public keys as users hand them in (`slipway keys:add`): checked, never trusted.
#pragma once

#include <util/result.hpp>

#include <string>
#include <string_view>

namespace slipway::core {

struct SshKey
{
  std::string type;        // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
  std::string base64;      // the key blob, as in the .pub file
  std::string comment;     // what followed, often user@host ("" if none)
  std::string fingerprint; // "SHA256:…", as ssh-keygen -l prints it
  unsigned bits = 0;

  // The key as an authorized_keys entry without options: "TYPE BASE64".
  std::string
  line() const
  {
    return type + " " + base64;
  }
};

// Parse one public key line ("TYPE BASE64 [COMMENT]"). Refused, each with its reason and the
// fix: a private key, anything with options in front, DSA, RSA under 2048 bits, unknown
// types, a blob that does not match its type, more than one key.
util::Result<SshKey> parse_public_key(std::string_view text);

// Whether `text` looks like a private key (refused loudly: it must never leave its machine).
bool looks_private(std::string_view text);

} // namespace slipway::core
