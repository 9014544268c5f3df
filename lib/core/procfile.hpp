// The Procfile: "<type>: <command>" lines, read at build time and stored with the slug.
#pragma once

#include <util/result.hpp>

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

} // namespace slipway::core
