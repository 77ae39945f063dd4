#!/bin/sh
# Runs every case of src/rules/tests/corpus_cases.txt through the real ipvsadm on a
# real IPVS kernel and prints what `ipvsadm -S -n` then says, in the format of
# src/rules/tests/corpus_save.txt. Regenerate with:
#   /work/labproto/lab-run -f src/rules/tests/corpus_cases.txt tests/support/corpus_lab.sh \
#     > src/rules/tests/corpus_save.txt
cases=/opt/bin/corpus_cases.txt
setups=""
grep -v '^#' "$cases" | while IFS= read -r line; do
    case "$line" in
    setup:*)
        setups="$setups${line#setup: }
"
        ;;
    case:*)
        ipvsadm -C
        printf '%s' "$setups" | while IFS= read -r s; do
            [ -n "$s" ] && ipvsadm $s
        done
        cmd="${line#case: }"
        ipvsadm $cmd
        echo "case: $cmd"
        echo "rc: $?"
        ipvsadm -S -n
        echo "end"
        setups=""
        ;;
    esac
done
