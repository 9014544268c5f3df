#include "ref_update.hpp"

namespace slipway::git {

util::Result<bool>
restore_ref(git_repository* repo, const std::string& refname, const std::string& old_hex, const std::string& new_hex)
{
  git_oid new_id, old_id;
  if (!parse_oid(new_hex, new_id)) {
    return util::error("'" + new_hex + "' is not a commit id");
  }
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, refname.c_str()) != 0) {
    return false;
  }
  Reference ref(raw);
  const git_oid* now = git_reference_target(ref.get());
  if (!now || git_oid_cmp(now, &new_id) != 0) {
    return false;
  }
  if (is_zero_oid(old_hex)) {
    if (git_reference_delete(ref.get()) != 0) {
      return last_error("cannot delete " + refname);
    }
    return true;
  }
  if (!parse_oid(old_hex, old_id)) {
    return util::error("'" + old_hex + "' is not a commit id");
  }
  git_reference* moved = nullptr;
  if (git_reference_create_matching(&moved, repo, refname.c_str(), &old_id, 1, &new_id,
                                    "slipway: deploy failed, branch restored") != 0) {
    return last_error("cannot restore " + refname);
  }
  Reference keep(moved);
  return true;
}

} // namespace slipway::git
