// The formation: how many dynos of each process type an app asks for, as on Heroku. Stored in
// apps/APP/formation.yml (type: count) once scaled; until then Heroku's default: one web dyno
// when the release has a web type, none of any other. The release phase (`release`) is never
// part of it. And the size each type runs at: the app's `dyno_size` setting unless resized
// (`ps:resize web=standard-2X`, stored in apps/APP/sizes.yml as TYPE: SIZE).
#pragma once

#include <core/app/dyno_size.hpp>
#include <core/app/layout.hpp>
#include <core/slug/procfile.hpp>
#include <util/output.hpp>
#include <util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace slipway::core {

using Formation = std::map<std::string, unsigned long long>;

// The formation for a release with `types`: the stored counts of the types it has, the
// default for the others. Types the release lacks are left out.
util::Result<Formation> load_formation(const AppPaths& paths, const ProcessTypes& types);

// Parse `ps:scale` arguments, TYPE=N each, against the current release's `types`; N at most
// `limit`. Usage errors (exit 2) name the bad argument.
util::Result<Formation>
parse_scale(const std::vector<std::string>& args, const ProcessTypes& types, unsigned long long limit);

// Scale: under the deploy lock, apply `args` (parse_scale) to the app's formation for its
// current release and store it; with no args, only read it (no lock). An app with no release
// yet is an error (nothing to scale).
util::Result<Formation>
scale(const AppPaths& paths, const std::vector<std::string>& args, bool wait, util::Output& out);

// "web=2 worker=0", in type order.
std::string formation_text(const Formation& f);

// Each process type of `types` with its size: resized ones from sizes.yml, the others (and
// `release`, which is never resized) at the app's dyno_size setting.
util::Result<std::map<std::string, DynoSize>> load_dyno_sizes(const AppPaths& paths, const ProcessTypes& types);

// Resize: under the deploy lock, apply `args` (TYPE=SIZE each) to the process types of the
// app's current release and store them; with no args, only read them. Usage errors (exit 2)
// name the bad argument, and change nothing.
util::Result<std::map<std::string, DynoSize>>
resize(const AppPaths& paths, const std::vector<std::string>& args, bool wait, util::Output& out);

// "web=standard-2X worker=standard-1X", in type order.
std::string sizes_text(const std::map<std::string, DynoSize>& sizes);


} // namespace slipway::core
