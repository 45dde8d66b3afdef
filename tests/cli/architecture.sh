# The architecture keeps its own rules (doc/architecture.md):
# - drawing modules reach no database: no store_*, db_*, snapshot_* or
#   sqlite3_* call; they render what the snapshot and snapshot_rows read;
# - no store_* header depends on the dashboard's types: the store fills
#   plain structs of its own (readings.h) that the snapshot gathers;
# - only the UI thread's modules include curses;
# - no struct, enum or union name is defined twice in src/ (a reader, or a
#   debugger, must not have to ask which one is meant);
# - a connection state is spelled only in conn_state.c's table (log event
#   names and webhook event types are words of their own);
# - processor.c stays the writer's batching, applying and committing: a
#   new concern of the writer's gets a module of its own.
. "$TESTS_SRCDIR/lib.sh"
src="$TESTS_SRCDIR/../src"
[ -f "$src/main.c" ] || bail "no sources at $src"

drawing="screen.c draw.c frame.c dialog.c details.c panes.c $(cd "$src" && echo pane_*.c)"
for f in $drawing; do
    calls=$(grep -nE '(^|[^a-z_])(store|db|snapshot|sqlite3)_[a-z_]+\(' "$src/$f" || true)
    if [ -z "$calls" ]; then
        ok "$f reaches no database"
    else
        not_ok "$f reaches no database" "$calls"
    fi
done

for h in "$src"/store_*.h; do
    deps=$(grep -nE '#include "(snapshot|ui|dashboard|pane|frame|layout)\.h"' "$h" || true)
    if [ -z "$deps" ]; then
        ok "$(basename "$h") depends on no dashboard type"
    else
        not_ok "$(basename "$h") depends on no dashboard type" "$deps"
    fi
done

curses=$(cd "$src" && grep -lE '#include <(n?curses|ncursesw/curses)\.h>' *.c | sort | tr '\n' ' ')
equals "only the screen's modules include curses" "$curses" "dialog.c draw.c screen.c "

twice=$(cd "$src" && grep -hoE '^(struct|enum|union) [a-z_][a-z0-9_]* \{' *.c *.h | sort | uniq -d)
equals "no type name is defined twice" "$twice" ""
states=$(cd "$src" && grep -nE '"(connecting|connected|disconnected|backoff|backing off)"' *.c |
         grep -vE '^conn_state\.c:|log_kv\(|\[WH_[A-Z_]+\] =' || true)
equals "connection states are spelled only in conn_state.c" "$states" ""

# The first key of every log line is event=; a field of that name would
# make a second one, and a parser keeps only one of them.
second_event=$(cd "$src" && grep -nE 'log_kv\([^;]*, "event",' *.c || true)
equals "no log line gives a field the name event" "$second_event" ""

lines=$(wc -l < "$src/processor.c")
if [ "$lines" -le 600 ]; then
    ok "processor.c holds the writer's batches alone ($lines lines)"
else
    not_ok "processor.c holds the writer's batches alone" "$lines lines: give the new concern a module"
fi
done_testing
