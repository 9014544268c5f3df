// The dynos serve runs, as it publishes them in apps/APP/dynos.json (layout.hpp: dyno_state):
// what `ps`, the API's dynos and the next serve (to stop what a killed one left) read.
#pragma once

#include <core/app/layout.hpp>
#include <util/result.hpp>

#include <string>
#include <vector>

namespace slipway::core {

struct PublishedDyno
{
  std::string name, type, command, size, state, since, last_exit, handle;
  unsigned index = 1;
  unsigned long release = 0;
  int port = 0;
};

// The file's text: a JSON list of objects, one a dyno, with the fields above.
std::string dyno_state_text(const std::vector<PublishedDyno>& dynos);

// The app's published dynos; none when there is no file yet, an error when it is not a list.
util::Result<std::vector<PublishedDyno>> load_dyno_state(const AppPaths& paths);

} // namespace slipway::core
