# A 1 GB file deploys; large loose blobs stream instead of sitting in memory.

test_a_1gb_file() {
  new_app hello hello
  head -c 1073741824 /dev/zero > "$SRC/big.bin"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "1 GB"
  push >/dev/null
  assert_current hello v1
  assert_eq 1073741824 "$(stat -c %s "$(app_dir hello)/releases/v1/app/big.bin")"
  cmp -s -n 1048576 "$(app_dir hello)/releases/v1/app/big.bin" /dev/zero || fail "content differs"
}
