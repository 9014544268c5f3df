# Fast paths (slug reuse, built trees kept, trees shared between releases of one slug)
# give exactly what the slow paths (a full build, an unpack) give.

tree_listing() { # DIR: every entry with its type, mode, owner, size, mtime and content hash
  (cd "$1" && find . -printf '%p %y %m %u %g %s %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

test_an_identical_build_is_reused_and_matches_a_fresh_build() {
  new_app hello release-knobs
  push >/dev/null                                     # v1: built
  commit README b b; push >/dev/null                  # v2: built
  git -C "$SRC" revert --no-edit HEAD >/dev/null      # tree of v1 again
  push
  assert_contains push.out "Reusing slug $(slug_of hello v1): this tree was built before"
  assert_not_contains push.out "Procfile-only app detected"
  assert_eq "$(slug_of hello v1)" "$(slug_of hello v3)"
  assert_current hello v3
  # The slow path: the same commit built from scratch in another app gives the same bytes.
  sw apps:create other >/dev/null
  git -C "$SRC" push -q "$(app_dir other)/repo.git" HEAD:refs/heads/main 2>/dev/null
  assert_eq "$(slug_of hello v3)" "$(slug_of other v1)"
  cmp "$(app_dir hello)/slugs/$(slug_of hello v3).tar.zst" "$(app_dir other)/slugs/$(slug_of other v1).tar.zst"
  # Trees: v1 kept its built tree, v3 shares v1's files, 'other' v1 too; a plain unpack agrees.
  mkdir unpacked; tar -xf "$(app_dir hello)/slugs/$(slug_of hello v1).tar.zst" -C unpacked
  tree_listing unpacked/app > slow.txt
  for tree in "$(app_dir hello)/releases/v1/app" "$(app_dir hello)/releases/v3/app" "$(app_dir other)/releases/v1/app"; do
    tree_listing "$tree" > fast.txt
    diff slow.txt fast.txt || fail "$tree differs from the unpacked slug"
  done
}

test_a_config_change_means_a_new_build() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set FOO=1 -a hello >/dev/null
  commit README b b; push >/dev/null
  git -C "$SRC" revert --no-edit HEAD >/dev/null
  push
  assert_not_contains push.out "Reusing slug"
  assert_contains push.out "Procfile-only app detected"
}

test_releases_on_an_existing_slug_share_its_files() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set FOO=1 -a hello >/dev/null
  sw rollback -a hello >/dev/null
  local a; a=$(app_dir hello)/releases
  assert_eq "$(stat -c %i "$a/v1/app/Procfile")" "$(stat -c %i "$a/v2/app/Procfile")" "v2 shares v1's files"
  assert_eq "$(stat -c %i "$a/v1/app/Procfile")" "$(stat -c %i "$a/v3/app/Procfile")" "v3 shares v1's files"
  # When no tree of the slug is left, the slug is unpacked: same result.
  tree_listing "$a/v1/app" > before.txt
  rm -rf "$a/v1/app" "$a/v2/app" "$a/v3/app"
  sw rollback v1 -a hello >/dev/null
  assert_current hello v4
  [ -d "$a/v4/app" ] && [ ! -L "$a/v4/app" ] || fail "the rollback did not unpack the slug"
  sw config:set FOO=2 -a hello >/dev/null
  assert_eq "../v4/app" "$(readlink "$a/v5/app")" "v5 shares the unpacked tree"
  tree_listing "$a/v5/app" > after.txt
  diff before.txt after.txt || fail "unpacked tree differs from the shared one"
}

test_unchanged_files_are_copied_from_the_current_release_with_the_same_result() {
  new_app hello release-knobs
  mkdir -p "$SRC/lib/deep"
  for i in 1 2 3 4 5 6; do echo "file $i" > "$SRC/lib/deep/f$i.txt"; done
  printf 'name with\nnewline' > "$SRC/lib/odd
name"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm files
  SLIPWAY_LOG=$SCRATCH/log1 push >/dev/null
  assert_contains log1 "\(0 copied from the current release\)"
  tr '\0' '\n' < "$(app_dir hello)/slugs/$(slug_of hello v1).blobs" > manifest.txt
  assert_contains manifest.txt "^[0-9a-f]{40} lib/deep/f1.txt$"
  commit lib/deep/f1.txt changed "change one file"
  SLIPWAY_LOG=$SCRATCH/log2 push >/dev/null
  assert_current hello v2
  local files; files=$(git -C "$SRC" ls-files | wc -l)
  assert_contains log2 "\($((files - 1)) copied from the current release\)"
  assert_eq "changed" "$(tail -1 "$(app_dir hello)/releases/v2/app/lib/deep/f1.txt")"
  # The slow path: the same commit exported from git alone gives the same slug, byte for byte.
  sw apps:create other >/dev/null
  git -C "$SRC" push -q "$(app_dir other)/repo.git" HEAD:refs/heads/main 2>/dev/null
  assert_eq "$(slug_of hello v2)" "$(slug_of other v1)"
  cmp "$(app_dir hello)/slugs/$(slug_of hello v2).tar.zst" "$(app_dir other)/slugs/$(slug_of other v1).tar.zst"
}

test_files_a_buildpack_changed_are_not_reused() {
  new_app hello plain
  echo "notes" > "$SRC/notes.txt"
  echo "data" > "$SRC/data.txt"
  echo "kept" > "$SRC/kept.txt"
  use_buildpacks appender
  push >/dev/null
  assert_current hello v1
  tr '\0' '\n' < "$(app_dir hello)/slugs/$(slug_of hello v1).blobs" > manifest.txt
  assert_contains manifest.txt " kept.txt$"
  assert_not_contains manifest.txt " (notes|data).txt$"
  commit kept.txt again "change another file"
  push >/dev/null
  assert_current hello v2
  # Built from git, not from v1's changed copies: one appended line each, not two.
  assert_eq "notes
# compiled" "$(cat "$(app_dir hello)/releases/v2/app/notes.txt")"
  assert_eq "data
# rewritten" "$(cat "$(app_dir hello)/releases/v2/app/data.txt")"
}

test_a_bad_or_missing_manifest_means_a_full_export() {
  new_app manifests release-knobs
  push >/dev/null
  printf 'not a manifest' > "$(app_dir manifests)/slugs/$(slug_of manifests v1).blobs"
  commit README a a
  SLIPWAY_LOG=$SCRATCH/log2 push >/dev/null
  assert_current manifests v2
  assert_contains log2 "\(0 copied from the current release\)"
  rm "$(app_dir manifests)/slugs/$(slug_of manifests v2).blobs"
  commit README b b
  SLIPWAY_LOG=$SCRATCH/log3 push >/dev/null
  assert_current manifests v3
  assert_contains log3 "\(0 copied from the current release\)"
  sw apps:destroy manifests --confirm manifests >/dev/null
}
