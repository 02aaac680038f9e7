# 確認するデータファイル（CSV・xlsx）を探す / find the data files (CSV, xlsx) to check.
# HYOKA_BASE: 比較するコミット（空または 000…: すべてのデータファイル）
#             the commit to compare with (empty or 000…: every data file).
# HYOKA_FILES: 見つけたファイルの一覧（NUL 区切り）/ where the list goes (NUL-separated).
# 設定（hyoka.toml・*.yaml）が変わったときは、すべてのデータファイルを確認します。
# When the configuration (hyoka.toml, *.yaml) changed, every data file is checked.
set -euo pipefail
data=(':(icase)*.csv' ':(icase)*.xlsx' ':(exclude,glob)**/~$*')
subset=false
base=""
if [ -n "${HYOKA_BASE:-}" ] && [ -n "${HYOKA_BASE//0/}" ]; then
  base=$(git merge-base "$HYOKA_BASE" HEAD 2>/dev/null) || base=""
fi
if [ -z "$base" ]; then
  echo "hyoka: checking every data file"
  git ls-files -z -- "${data[@]}" > "$HYOKA_FILES"
elif git diff --quiet "$base" HEAD -- hyoka.toml pyproject.toml ':(glob)**/*.yaml' ':(glob)**/*.yml'; then
  git diff -z --name-only --diff-filter=ACMR "$base" HEAD -- "${data[@]}" > "$HYOKA_FILES"
  subset=true
else
  echo "hyoka: the configuration changed: checking every data file"
  git ls-files -z -- "${data[@]}" > "$HYOKA_FILES"
fi
count=$(tr -cd '\0' < "$HYOKA_FILES" | wc -c | tr -d ' ')
echo "hyoka: $count data file(s) to check"
