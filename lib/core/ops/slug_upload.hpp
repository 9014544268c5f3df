// Slugs made elsewhere and uploaded over the Platform API (POST /apps/APP/slugs, then a PUT of
// the tarball): Heroku's .tgz with the app under ./app/. The tarball is checked as a release
// would unpack it, and against its declared checksum, before it is stored like a built slug.
#pragma once

#include <core/app/layout.hpp>
#include <core/slug/procfile.hpp>
#include <core/release/releaser.hpp>
#include <core/slug/slug_store.hpp>
#include <util/result.hpp>

#include <optional>
#include <string>

namespace slipway::core {

struct SlugUpload
{
  std::string id;       // the upload's id, which the API gives as the slug's
  std::string checksum; // "SHA256:<hex>" as declared, or ""
  ProcessTypes process_types;
  std::string commit, buildpack, created_at;
  std::string slug; // the stored slug's id once the tarball arrived and passed; else ""
};

// Record a new upload (a random id).
util::Result<SlugUpload> begin_slug_upload(const AppPaths& paths, SlugUpload declared);

util::Result<SlugUpload> load_slug_upload(const AppPaths& paths, const std::string& id);

// Check the tarball that arrived in slug_upload_data(id) (`sha256` of its bytes, `size`),
// under the deploy lock: its checksum, gzip, and that it unpacks as a release's tree would;
// then store it (SlugStore::adopt). The error says what is wrong; the data is removed
// either way.
util::Result<SlugRecord> finish_slug_upload(const AppPaths& paths,
                                            const std::string& id,
                                            const std::string& sha256,
                                            unsigned long long size,
                                            util::Output& out);

// A release of a stored slug with the app's current config, its release phase run as any
// release's (the API's POST /releases with a slug).
struct SlugRelease
{
  std::string slug_id, description;
  bool wait = true; // for the deploy lock, else fail at once when it is taken
};
util::Result<ReleaseOutcome> release_slug(const AppPaths& paths,
                                          const SlugRelease& what,
                                          util::Output& out,
                                          const std::function<void(const ReleaseRecord&)>& on_created = {});

} // namespace slipway::core
