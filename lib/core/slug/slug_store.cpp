#include "slug_store.hpp"

#include <archive/slug_pack.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>
#include <util/uuid.hpp>
#include <yaml/yaml_io.hpp>

#include <unistd.h>

namespace slipway::core {

std::string
SlugRecord::release_command() const
{
  auto it = process_types.find("release");
  return it == process_types.end() ? std::string() : it->second;
}

std::string
SlugStore::tarball(const SlugRecord& s) const
{
  archive::Compression c = archive::Compression::zstd;
  archive::parse_compression(s.compression, c);
  return m_paths.slugs() + "/" + s.id + archive::slug_extension(c);
}

bool
SlugStore::exists(const std::string& id) const
{
  auto s = load(id);
  return s && util::path_exists(tarball(*s));
}

util::Result<SlugRecord>
SlugStore::load(const std::string& id) const
{
  if (id.size() != 36 || id.find_first_not_of("0123456789abcdef-") != std::string::npos) {
    return util::error("invalid slug id '" + id + "'");
  }
  SW_TRY_ASSIGN(YAML::Node doc, yaml::load_file(meta_path(id)));
  SlugRecord s;
  s.id = id;
  s.sha256 = yaml::get_string(doc, "sha256");
  util::parse_uint(yaml::get_string(doc, "size", "0"), s.size);
  s.compression = yaml::get_string(doc, "compression", "zstd");
  SW_TRY_ASSIGN(s.process_types, yaml::get_string_map(doc, "process_types", meta_path(id)));
  s.buildpack = yaml::get_string(doc, "buildpack");
  s.commit = yaml::get_string(doc, "commit");
  s.created_at = yaml::get_string(doc, "created_at");
  return s;
}

util::Result<SlugRecord>
SlugStore::adopt(const std::string& packed_file, SlugRecord meta) const
{
  std::string name = "slug:" + meta.sha256;
  for (const auto& [k, v] : meta.process_types) {
    name += "\n" + k + ":" + v;
  }
  meta.id = util::name_uuid(name);
  if (exists(meta.id)) {
    ::unlink(packed_file.c_str());
    return load(meta.id);
  }
  meta.created_at = util::now_iso8601();
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "id" << YAML::Value << meta.id;
  e << YAML::Key << "sha256" << YAML::Value << meta.sha256;
  e << YAML::Key << "size" << YAML::Value << meta.size;
  e << YAML::Key << "compression" << YAML::Value << meta.compression;
  e << YAML::Key << "buildpack" << YAML::Value;
  yaml::emit_string(e, meta.buildpack);
  e << YAML::Key << "commit" << YAML::Value << meta.commit;
  e << YAML::Key << "created_at" << YAML::Value << meta.created_at;
  yaml::emit_string_map(e, "process_types", meta.process_types);
  e << YAML::EndMap;
  // Tarball first, record second: a record always names a complete tarball.
  if (::rename(packed_file.c_str(), tarball(meta).c_str()) != 0) {
    return util::error(util::errno_message("cannot store slug", tarball(meta)));
  }
  SW_TRY(util::write_file_atomic(meta_path(meta.id), std::string(e.c_str()) + "\n", 0640));
  return meta;
}

util::Status
SlugStore::remove(const std::string& id) const
{
  auto s = load(id);
  if (s) {
    ::unlink(tarball(*s).c_str());
  }
  ::unlink(blobs(id).c_str());
  ::unlink(meta_path(id).c_str());
  return {};
}

} // namespace slipway::core
