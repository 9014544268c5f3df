#include "release_record.hpp"

#include <util/strings.hpp>
#include <yaml/yaml_io.hpp>

#include <fmt/format.h>

namespace slipway::core {

std::string
version_name(unsigned long v)
{
  return fmt::format("v{}", v);
}

std::string
to_string(ReleaseStatus s)
{
  return util::enum_name(s, std::array{"pending", "succeeded", "failed", "expired"});
}

ReleaseStatus
ReleaseRecord::effective_status() const
{
  return interrupted ? ReleaseStatus::failed : status;
}

std::string
ReleaseRecord::status_suffix() const
{
  if (interrupted) {
    return "release command failed (interrupted)";
  }
  if (status == ReleaseStatus::succeeded) {
    return release_phase_skipped ? "release command skipped" : "";
  }
  return util::enum_name(status,
                         std::array{"release command executing", "", "release command failed", "release expired"});
}

std::string
record_to_yaml(const ReleaseRecord& r)
{
  YAML::Emitter e;
  auto str = [&](const char* key, const std::string& v) {
    e << YAML::Key << key << YAML::Value;
    yaml::emit_string(e, v);
  };
  e.SetDoublePrecision(4);
  e << YAML::BeginMap;
  e << YAML::Key << "version" << YAML::Value << r.version;
  e << YAML::Key << "status" << YAML::Value << to_string(r.status);
  str("description", r.description);
  str("user", r.user);
  str("commit", r.commit);
  str("created_at", r.created_at);
  str("finished_at", r.finished_at);
  e << YAML::Key << "slug" << YAML::Value << YAML::BeginMap;
  str("id", r.slug_id);
  str("sha256", r.slug_sha256);
  e << YAML::Key << "size" << YAML::Value << r.slug_size;
  e << YAML::EndMap;
  yaml::emit_string_map(e, "process_types", r.process_types);
  str("release_command", r.release_command);
  if (r.release_phase_skipped) {
    e << YAML::Key << "release_phase" << YAML::Value << "skipped";
  }
  e << YAML::Key << "exit_status" << YAML::Value << r.exit_status;
  e << YAML::Key << "duration" << YAML::Value << r.duration;
  str("failure", r.failure);
  if (r.status == ReleaseStatus::pending) {
    str("owner_pid", r.owner_pid);
    str("owner_start", r.owner_start);
  }
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

util::Result<ReleaseRecord>
record_from_yaml(const std::string& text, const std::string& label)
{
  SW_TRY_ASSIGN(YAML::Node doc, yaml::parse(text, label));
  if (!doc.IsMap()) {
    return util::error(label + ":1: not a release record (expected a mapping)");
  }
  ReleaseRecord r;
  unsigned long long n;
  if (!util::parse_uint(yaml::get_string(doc, "version"), n) || n == 0) {
    return util::error(label + ": missing or invalid 'version'");
  }
  r.version = static_cast<unsigned long>(n);
  std::string status = yaml::get_string(doc, "status");
  if (status == "pending") {
    r.status = ReleaseStatus::pending;
  } else if (status == "succeeded") {
    r.status = ReleaseStatus::succeeded;
  } else if (status == "failed") {
    r.status = ReleaseStatus::failed;
  } else {
    return util::error(label + ": invalid 'status' '" + util::printable(status) + "'");
  }
  r.description = yaml::get_string(doc, "description");
  r.user = yaml::get_string(doc, "user");
  r.commit = yaml::get_string(doc, "commit");
  r.created_at = yaml::get_string(doc, "created_at");
  r.finished_at = yaml::get_string(doc, "finished_at");
  if (doc["slug"] && doc["slug"].IsMap()) {
    r.slug_id = yaml::get_string(doc["slug"], "id");
    r.slug_sha256 = yaml::get_string(doc["slug"], "sha256");
    util::parse_uint(yaml::get_string(doc["slug"], "size", "0"), r.slug_size);
  }
  SW_TRY_ASSIGN(r.process_types, yaml::get_string_map(doc, "process_types", label));
  for (const auto& [type, command] : r.process_types) {
    if (!valid_process_type(type)) {
      return util::error(label + ": invalid process type name '" + util::printable(type) + "'");
    }
  }
  r.release_command = yaml::get_string(doc, "release_command");
  r.release_phase_skipped = yaml::get_string(doc, "release_phase") == "skipped";
  try {
    r.exit_status = doc["exit_status"] ? doc["exit_status"].as<int>() : -1;
    r.duration = doc["duration"] ? doc["duration"].as<double>() : 0;
  } catch (const YAML::Exception&) {
    return util::error(label + ": invalid 'exit_status' or 'duration'");
  }
  r.failure = yaml::get_string(doc, "failure");
  r.owner_pid = yaml::get_string(doc, "owner_pid");
  r.owner_start = yaml::get_string(doc, "owner_start");
  return r;
}

} // namespace slipway::core
