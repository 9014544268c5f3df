// The Procfile: "<type>: <command>" lines, read at build time and stored with the slug.
#pragma once

#include <util/output.hpp>
#include <util/result.hpp>

#include <sys/types.h>

#include <map>
#include <string>

namespace slipway::core {

using ProcessTypes = std::map<std::string, std::string>;

// Parse Procfile text. CRLF line ends, blank lines and '#' comments are accepted; merge
// conflict markers, lines without "type:", invalid type names (^[-\w]{1,128}$), empty
// commands and duplicate types are errors that carry `label:line:`.
util::Result<ProcessTypes> parse_procfile(const std::string& text, const std::string& label = "Procfile");

// A process type name as the Platform API allows it: ^[-\w]{1,128}$.
bool valid_process_type(std::string_view type);

// "release, web" for build output.
std::string type_list(const ProcessTypes& types);

// The Procfile of the app open as `app`, a directory already taken from its user (its names
// cannot change): a regular file of `owner`'s with no other name, read through its fd.
// `present` says whether there was one; none gives no types.
util::Result<ProcessTypes> read_procfile_at(int app, uid_t owner, bool& present);

// The app's process types: its Procfile (read_procfile_at) over the buildpack's defaults,
// announced on `out`; an error when there are none.
util::Result<ProcessTypes>
discover_process_types(int app, uid_t owner, const ProcessTypes& buildpack_defaults, util::Output& out);

} // namespace slipway::core
