#include "uuid.hpp"

#include <uuid/uuid.h>

namespace slipway::util {

namespace {

// Slipway's namespace for name-based ids (a random UUID, fixed forever).
const uuid_t k_namespace = {0xe1, 0x30, 0x03, 0xef, 0xfd, 0xad, 0x42, 0x33,
                            0xa5, 0xcf, 0x17, 0x01, 0xd9, 0x46, 0x3f, 0x86};

} // namespace

std::string
name_uuid(std::string_view name)
{
  uuid_t id;
  uuid_generate_sha1(id, k_namespace, name.data(), name.size());
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

std::string
random_uuid()
{
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

} // namespace slipway::util
