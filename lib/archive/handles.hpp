// Owners for libarchive handles and its error messages.
#pragma once

#include <util/result.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace slipway::archive {

struct WriteFree
{
  void
  operator()(::archive* a) const
  {
    archive_write_free(a);
  }
};
struct ReadFree
{
  void
  operator()(::archive* a) const
  {
    archive_read_free(a);
  }
};
struct EntryFree
{
  void
  operator()(archive_entry* e) const
  {
    archive_entry_free(e);
  }
};

using Writer = std::unique_ptr<::archive, WriteFree>;
using Reader = std::unique_ptr<::archive, ReadFree>;
using Entry = std::unique_ptr<archive_entry, EntryFree>;

inline util::Error
last_error(::archive* a, const std::string& what)
{
  const char* msg = archive_error_string(a);
  return util::error(what + ": " + (msg ? msg : "unknown libarchive error"));
}

} // namespace slipway::archive
