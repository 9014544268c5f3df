#include "fetch.hpp"

#include <git/handles.hpp>

#include <fmt/format.h>

#include <chrono>

namespace slipway::git {

namespace {

struct Budget
{
  FetchLimits limits;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string exceeded; // what stopped the fetch

  int
  check(unsigned long long received)
  {
    auto took = std::chrono::steady_clock::now() - start;
    if (limits.seconds && took > std::chrono::seconds(limits.seconds)) {
      exceeded = fmt::format("took longer than {}s", limits.seconds);
    } else if (limits.bytes && received > limits.bytes) {
      exceeded = fmt::format("is larger than {} MiB", limits.bytes >> 20);
    }
    return exceeded.empty() ? 0 : -1;
  }
};

int
on_transfer(const git_indexer_progress* stats, void* payload)
{
  return static_cast<Budget*>(payload)->check(stats->received_bytes);
}

int
on_sideband(const char*, int, void* payload)
{
  return static_cast<Budget*>(payload)->check(0);
}

} // namespace

util::Status
clone_at(const std::string& url, const std::string& ref, const std::string& dest, const FetchLimits& limits)
{
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  Budget budget{limits};
  opts.fetch_opts.callbacks.transfer_progress = on_transfer;
  opts.fetch_opts.callbacks.sideband_progress = on_sideband;
  opts.fetch_opts.callbacks.payload = &budget;
  git_repository* raw = nullptr;
  if (git_clone(&raw, url.c_str(), dest.c_str(), &opts) != 0) {
    if (!budget.exceeded.empty()) {
      git_error_clear();
      return util::error("cannot fetch buildpack '" + url + "': the fetch " + budget.exceeded);
    }
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
