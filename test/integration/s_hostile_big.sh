# A 1 GB file of pseudo-random bytes deploys: large loose blobs stream instead of sitting in
# memory, and the release's file and the slug's both hold exactly the bytes pushed.

test_a_1gb_file() {
  new_app hello hello
  sw settings:set slug_size_limit=2G -a hello >/dev/null # random bytes do not compress
  # Stored without compression on the pushing side, so that git itself stays quick.
  git -C "$SRC" config core.compression 0
  head -c 1073741824 /dev/urandom >"$SRC/big.bin"
  local want; want=$(sha256sum <"$SRC/big.bin" | cut -d' ' -f1)
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "1 GB"
  rm -f "$SRC/big.bin"
  SLIPWAY_LOG=$SCRATCH/diag.log push >/dev/null
  assert_current hello v1
  local tree; tree=$(app_dir hello)/releases/v1/app/big.bin
  assert_eq 1073741824 "$(stat -c %s "$tree")" "size in the release"
  assert_eq "$want" "$(sha256sum <"$tree" | cut -d' ' -f1)" "sha256 in the release"
  local slug; slug=$(app_dir hello)/slugs/$(slug_of hello v1).tar.zst
  assert_eq "$want" "$(zstd -dcq "$slug" | tar -xOf - ./app/big.bin | sha256sum | cut -d' ' -f1)" "sha256 in the slug"
  # The hook never held the file: its peak resident set stays far below the file's size.
  local peak; peak=$(grep -o 'peak_rss_kb=[0-9]*' "$SCRATCH/diag.log" | tail -1 | cut -d= -f2)
  [ -n "$peak" ] || fail "the hook logged no peak_rss_kb"
  [ "$peak" -lt 204800 ] || fail "the hook's peak resident set was ${peak} kB for a 1 GB file (bound: 200 MB)"
}
