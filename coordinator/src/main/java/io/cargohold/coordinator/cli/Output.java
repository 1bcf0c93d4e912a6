package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prints an answer as JSON or as a plain table: one row per item (and, when a page of a list has a next one,
 * the option that asks for it), or one line per field of a single item.
 */
final class Output {

    enum Format { table, json }

    /** A column: its heading and how a row's cell is read. */
    record Column(String heading, Function<JsonObject, Object> cell) {

        static Column field(String name) {
            return new Column(name.toUpperCase(Locale.ROOT), row -> row.getValue(name));
        }
    }

    private Output() {
    }

    static void list(PrintWriter out, Format format, JsonObject answer, String items, List<Column> columns) {
        if (format == Format.json) {
            out.println(answer.encodePrettily());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(columns.stream().map(Column::heading).toList());
        JsonArray array = answer.getJsonArray(items, new JsonArray());
        for (Object item : array) {
            rows.add(columns.stream().map(column -> text(column.cell().apply((JsonObject) item))).toList());
        }
        int[] widths = new int[columns.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        rows.forEach(row -> {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        });
        if (answer.getString("nextToken") != null) {
            out.println("more: --next-token " + answer.getString("nextToken"));
        }
    }

    static void item(PrintWriter out, Format format, JsonObject answer) {
        if (format == Format.json) {
            out.println(answer.encodePrettily());
            return;
        }
        int width = answer.fieldNames().stream().mapToInt(String::length).max().orElse(0);
        answer.forEach(entry -> out.println(String.format("%-" + (width + 2) + "s", entry.getKey())
                + text(entry.getValue())));
    }

    private static String text(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof JsonArray array) {
            List<String> parts = new ArrayList<>();
            array.forEach(element -> parts.add(element instanceof JsonObject object && object.containsKey("tag")
                    ? object.getString("tag") : text(element)));
            return String.join(",", parts);
        }
        return value instanceof JsonObject object ? object.encode() : value.toString();
    }
}
