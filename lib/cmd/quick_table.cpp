// The commands bin/slipway answers itself, without starting bin/slipway-engine: the read-only
// ones and settings:set, whose code needs neither libgit2 nor libarchive (a test checks the
// binary's libraries). Order does not matter here; help comes from the engine's table.
#include <cmd/command.hpp>

namespace slipway::cmd {

extern const CommandSpec k_cmd_apps, k_cmd_apps_info, k_cmd_releases, k_cmd_releases_info, k_cmd_releases_output,
    k_cmd_config, k_cmd_config_get, k_cmd_settings, k_cmd_settings_set;

const CommandTable&
quick_command_table()
{
  static const CommandTable table = {
      &k_cmd_apps,   &k_cmd_apps_info,  &k_cmd_releases, &k_cmd_releases_info, &k_cmd_releases_output,
      &k_cmd_config, &k_cmd_config_get, &k_cmd_settings, &k_cmd_settings_set,
  };
  return table;
}

} // namespace slipway::cmd
