package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference against the options ({@link GlimpseOptions#ALL}): the same
 * keys, each with the same default and the same description, and every renamed key listed with its
 * new name.
 */
class ConfigurationReferenceTest {

    private static final String OPTIONS_HEADER = "| Key | Default | Meaning |";
    private static final String RENAMES_HEADER = "| Deprecated key | Read as |";

    /** A row of the reference: key, default cell, description. */
    record Row(String key, String defaultCell, String description) {
        @Override
        public String toString() {
            return "| `" + key + "` | " + defaultCell + " | " + description + " |";
        }
    }

    /** The README row an option should have. */
    static Row rowOf(GlimpseOption<?> option) {
        String d = option.defaultValue();
        return new Row(
                option.key(), d == null || d.isEmpty() ? "—" : "`" + d + "`", option.description());
    }

    private static List<String> table(String header) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf(header);
        assertThat(start).as("README table headed %s", header).isNotNegative();
        List<String> rows = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(lines.get(i));
        }
        return rows;
    }

    /** The README's rows by key. */
    private static Map<String, Row> readmeRows() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : table(OPTIONS_HEADER)) {
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ", 3);
            assertThat(cells).as("cells of README row %s", line).hasSize(3);
            String key = cells[0].replace("`", "");
            assertThat(rows.put(key, new Row(key, cells[1], cells[2])))
                    .as("README rows of %s", key)
                    .isNull();
        }
        return rows;
    }

    @Test
    void theReadmeDocumentsEveryOptionWithItsDefaultAndDescriptionAndNothingElse()
            throws Exception {
        Map<String, Row> readme = readmeRows();
        String expectedTable =
                GlimpseOptions.ALL.stream()
                        .map(o -> rowOf(o).toString())
                        .collect(Collectors.joining("\n"));
        for (GlimpseOption<?> option : GlimpseOptions.ALL) {
            assertThat(readme.get(option.key()))
                    .as(
                            "README row of %s; the table the options describe is:%n%s",
                            option.key(), expectedTable)
                    .isEqualTo(rowOf(option));
        }
        assertThat(readme.keySet())
                .as("README rows without an option")
                .containsExactlyInAnyOrderElementsOf(
                        GlimpseOptions.ALL.stream().map(GlimpseOption::key).toList());
    }

    @Test
    void theReadmeListsEveryDeprecatedKeyWithTheKeyThatReplacesIt() throws Exception {
        List<String> expected = new ArrayList<>();
        for (GlimpseOption<?> option : GlimpseOptions.ALL) {
            for (String old : option.deprecatedKeys()) {
                expected.add("| `" + old + "` | `" + option.key() + "` |");
            }
        }

        assertThat(table(RENAMES_HEADER)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aRowDiffersWhenTheDefaultOrTheDescriptionDoes() {
        Row documented = rowOf(EngineOptions.MAX_NUM_SEQS);

        assertThat(documented.toString())
                .isEqualTo("| `engine.maxNumSeqs` | `16` | Sequences decoded together per step. |");
        assertThat(rowOf(GlimpseOption.integer("engine.maxNumSeqs", 32, 1, 4096, "x")))
                .isNotEqualTo(documented);
        assertThat(rowOf(KafkaOptions.BOOTSTRAP_SERVERS).defaultCell()).isEqualTo("—");
    }
}
