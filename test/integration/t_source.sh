# The source tree keeps the shape ARCHITECTURE.md gives it (test/check-layers).

CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

test_every_include_runs_down_architecture_md_s_layer_order() {
  "$CHECKOUT/test/check-layers" "$CHECKOUT" >out 2>&1 || { cat out; fail "check-layers refused the tree"; }
  assert_contains out '^layers: [0-9]+ files, 0 problems$'
}

# A copy of the sources with one include against the order per kind of mistake.
test_an_include_against_the_layer_order_is_named_with_its_line() {
  mkdir tree
  cp -r "$CHECKOUT/lib" "$CHECKOUT/bin" "$CHECKOUT/buildpack" "$CHECKOUT/ARCHITECTURE.md" tree/
  sed -i '1a #include <core/ops/push.hpp>' tree/lib/core/slug/procfile.cpp
  sed -i '1a #include "../run/serve.hpp"' tree/lib/core/app/layout.cpp
  sed -i '1a #include <archive/handles.hpp>' tree/lib/yaml/yaml_io.cpp
  sed -i '1a #  include <api/server.hpp>' tree/lib/util/fs.hpp
  mkdir tree/lib/core/misc
  echo '#include <util/fs.hpp>' >tree/lib/core/misc/extra.cpp
  set +e
  "$CHECKOUT/test/check-layers" tree >out 2>&1
  status=$?
  set -e
  assert_eq 1 "$status" "check-layers exit status"
  sort out >sorted
  cat >expected <<'EOF'
layers: FILES files, 5 problems
lib/core/app/layout.cpp:2: includes "../run/serve.hpp", from lib/core/run, above lib/core/app in ARCHITECTURE.md's layer order
lib/core/misc/extra.cpp: folder lib/core/misc is not in ARCHITECTURE.md's layer order
lib/core/slug/procfile.cpp:2: includes <core/ops/push.hpp>, from lib/core/ops, above lib/core/slug in ARCHITECTURE.md's layer order
lib/util/fs.hpp:2: includes <api/server.hpp>, from lib/api, above lib/util in ARCHITECTURE.md's layer order
lib/yaml/yaml_io.cpp:2: includes <archive/handles.hpp>, from lib/archive, beside (a peer of) lib/yaml in ARCHITECTURE.md's layer order
EOF
  sed -i 's/^layers: [0-9]* files/layers: FILES files/' sorted
  diff expected sorted || fail "check-layers did not name each include against the order"
}

test_a_checkout_whose_architecture_md_lost_the_order_is_refused() {
  mkdir tree
  cp -r "$CHECKOUT/lib" "$CHECKOUT/bin" "$CHECKOUT/buildpack" tree/
  grep -v '^Layer order:' "$CHECKOUT/ARCHITECTURE.md" >tree/ARCHITECTURE.md
  set +e
  "$CHECKOUT/test/check-layers" tree >out 2>&1
  status=$?
  set -e
  assert_eq 2 "$status" "check-layers exit status"
  assert_eq "ARCHITECTURE.md has no 'Layer order:' line" "$(cat out)"
}

# make mutants' patches (test/mutants) still break what they say, and name tests that exist.
test_every_mutation_patch_applies_and_names_tests_that_exist() {
  "$CHECKOUT/test/mutants/run" --check >out 2>&1 || { cat out; fail "a mutation patch no longer fits the tree"; }
  local n; n=$(ls "$CHECKOUT"/test/mutants/*.patch | wc -l)
  [ "$n" -ge 38 ] || fail "only $n mutation patches"
  assert_eq "$n passed, 0 failed, 0 skipped" "$(tail -1 out)"
  # A copy where the code under one patch moved on, and a patch that names a missing test.
  mkdir tree
  cp -r "$CHECKOUT/lib" "$CHECKOUT/test" "$CHECKOUT/buildpack" tree/
  sed -i 's/p.drop_privileges = true;/p.drop_privileges = (true);/' tree/lib/core/run/local_runtime.cpp
  sed -i 's/^Caught-by: t_releases.sh test_retention_of_one_keeps_the_rollback_target$/Caught-by: t_releases.sh test_gone/' \
    tree/test/mutants/retention-prunes-rollback-target.patch
  sed -i 's/^Caught-by: unit util::chown_tree hands over a symlink\*$/Caught-by: unit no such case*/' \
    tree/test/mutants/chown-follows-symlinks.patch
  set +e
  tree/test/mutants/run --check >out2 2>&1
  status=$?
  set -e
  assert_eq 1 "$status" "--check's exit status"
  assert_contains out2 "^FAIL mutants.dyno-runs-as-root: does not apply: error: patch failed: lib/core/run/local_runtime.cpp:[0-9]+ "
  assert_contains out2 "^FAIL mutants.retention-prunes-rollback-target: names a test that does not exist: t_releases.sh test_gone$"
  assert_contains out2 "^FAIL mutants.chown-follows-symlinks: names a test that does not exist: unit no such case\*$"
  assert_eq "$((n - 3)) passed, 3 failed, 0 skipped" "$(tail -1 out2)"
}
