// The command table: the order here is the order of `slipway --help`.
#include <cmd/command.hpp>

namespace slipway::cmd {

extern const CommandSpec k_cmd_apps, k_cmd_apps_create, k_cmd_apps_destroy, k_cmd_apps_info, k_cmd_releases,
    k_cmd_releases_info, k_cmd_releases_output, k_cmd_releases_retry, k_cmd_releases_cancel, k_cmd_releases_prune,
    k_cmd_rollback, k_cmd_config, k_cmd_config_get, k_cmd_config_set, k_cmd_config_unset, k_cmd_pipelines_promote,
    k_cmd_settings, k_cmd_settings_set, k_cmd_ps_scale, k_cmd_ps_resize, k_cmd_ps, k_cmd_ps_restart, k_cmd_ps_stop, k_cmd_logs,
    k_cmd_run, k_cmd_run_background, k_cmd_serve, k_cmd_domains, k_cmd_domains_add, k_cmd_domains_remove, k_cmd_users, k_cmd_users_add, k_cmd_users_remove, k_cmd_keys, k_cmd_keys_add,
    k_cmd_keys_remove, k_cmd_access, k_cmd_access_add, k_cmd_access_remove, k_cmd_ssh_command, k_cmd_tokens, k_cmd_tokens_create, k_cmd_tokens_revoke, k_cmd_audit, k_cmd_addons, k_cmd_addons_info, k_cmd_addons_create, k_cmd_addons_attach, k_cmd_addons_detach,
    k_cmd_addons_credentials_rotate, k_cmd_addons_destroy, k_cmd_addons_providers, k_cmd_addons_providers_set, k_cmd_doctor, k_cmd_hook,
    k_cmd_git_receive_pack;

const CommandTable&
command_table()
{
  static const CommandTable table = {
      &k_cmd_apps,
      &k_cmd_apps_create,
      &k_cmd_apps_destroy,
      &k_cmd_apps_info,
      &k_cmd_releases,
      &k_cmd_releases_info,
      &k_cmd_releases_output,
      &k_cmd_releases_retry,
      &k_cmd_releases_cancel,
      &k_cmd_releases_prune,
      &k_cmd_rollback,
      &k_cmd_config,
      &k_cmd_config_get,
      &k_cmd_config_set,
      &k_cmd_config_unset,
      &k_cmd_pipelines_promote,
      &k_cmd_settings,
      &k_cmd_settings_set,
      &k_cmd_ps,
      &k_cmd_ps_scale,
      &k_cmd_ps_resize,
      &k_cmd_ps_restart,
      &k_cmd_ps_stop,
      &k_cmd_logs,
      &k_cmd_run,
      &k_cmd_run_background,
      &k_cmd_serve,
      &k_cmd_domains,
      &k_cmd_domains_add,
      &k_cmd_domains_remove,
      &k_cmd_users,
      &k_cmd_users_add,
      &k_cmd_users_remove,
      &k_cmd_keys,
      &k_cmd_keys_add,
      &k_cmd_keys_remove,
      &k_cmd_access,
      &k_cmd_access_add,
      &k_cmd_access_remove,
      &k_cmd_ssh_command,
      &k_cmd_tokens,
      &k_cmd_tokens_create,
      &k_cmd_tokens_revoke,
      &k_cmd_audit,
      &k_cmd_addons,
      &k_cmd_addons_info,
      &k_cmd_addons_create,
      &k_cmd_addons_attach,
      &k_cmd_addons_detach,
      &k_cmd_addons_credentials_rotate,
      &k_cmd_addons_destroy,
      &k_cmd_addons_providers,
      &k_cmd_addons_providers_set,
      &k_cmd_doctor,
      &k_cmd_git_receive_pack,
      &k_cmd_hook,
  };
  return table;
}

} // namespace slipway::cmd
