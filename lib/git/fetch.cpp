#include "fetch.hpp"

#include <git/handles.hpp>

namespace slipway::git {

util::Status
clone_at(const std::string& url, const std::string& ref, const std::string& dest)
{
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  git_repository* raw = nullptr;
  if (git_clone(&raw, url.c_str(), dest.c_str(), &opts) != 0) {
    return last_error("cannot fetch buildpack '" + url + "'");
  }
  Repository repo(raw);
  if (ref.empty()) {
    return {};
  }
  git_object* obj = nullptr;
  std::string candidates[] = {"origin/" + ref, ref};
  for (const auto& spec : candidates) {
    if (git_revparse_single(&obj, repo.get(), spec.c_str()) == 0) {
      break;
    }
  }
  if (!obj) {
    return util::error("buildpack '" + url + "' has no ref '" + ref + "'");
  }
  Object target(obj);
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  git_object* commit = nullptr;
  if (git_object_peel(&commit, target.get(), GIT_OBJECT_COMMIT) != 0) {
    return last_error("buildpack ref '" + ref + "' is not a commit");
  }
  Object peeled(commit);
  if (git_checkout_tree(repo.get(), peeled.get(), &co) != 0 ||
      git_repository_set_head_detached(repo.get(), git_object_id(peeled.get())) != 0) {
    return last_error("cannot check out '" + ref + "' of buildpack '" + url + "'");
  }
  return {};
}

} // namespace slipway::git
