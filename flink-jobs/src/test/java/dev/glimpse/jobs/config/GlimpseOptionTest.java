package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GlimpseOptionTest {

    private static final GlimpseOption<Integer> SEQS =
            GlimpseOption.integer("engine.maxNumSeqs", 16, 1, 4096, "Sequences per step.")
                    .withDeprecatedKeys("engine.batching.maxNumSeqs");

    @Test
    void aDefaultThatItsOwnValidationRejectsFailsTheDeclaration() {
        assertThatThrownBy(() -> GlimpseOption.integer("x.slices", 0, 1, 9, "Slices."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x.slices must be in [1, 9], was 0");
        assertThatThrownBy(() -> GlimpseOption.duration("x.every", "often", "Interval."))
                .hasMessage(
                        "x.every must be a duration such as '10 s', '500 ms' or '5 min', was 'often'");
    }

    @Test
    void valuesAreTrimmedAndParsedToTheOptionsType() {
        assertThat(SEQS.parse(" 8 ")).isEqualTo(8);
        assertThat(GlimpseOption.duration("x.d", "1 s", "D.").parse("250 ms"))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(GlimpseOption.bool("x.b", true, "B.").parse("FALSE")).isFalse();
        assertThat(GlimpseOption.probability("x.p", null, "P.").parse("0.25")).isEqualTo(0.25);
    }

    @Test
    void unboundedRangesAreReportedAsSimpleBounds() {
        GlimpseOption<Long> positive =
                GlimpseOption.longInteger("x.bytes", 1, 1, Long.MAX_VALUE, "Bytes.");
        GlimpseOption<Integer> size =
                GlimpseOption.integer("x.size", 1, 1, Integer.MAX_VALUE, "Size.");

        assertThatThrownBy(() -> positive.parse("0")).hasMessage("x.bytes must be > 0, was 0");
        assertThatThrownBy(() -> size.parse("3000000000"))
                .hasMessage("x.size must be at most 2147483647, was 3000000000");
        assertThatThrownBy(() -> size.parse("1.5"))
                .hasMessage("x.size must be an integer, was '1.5'");
    }

    @Test
    void aDeprecatedKeyIsReadWhenTheKeyIsAbsentAndRemembered() {
        OptionValues values = new OptionValues(Map.of("engine.batching.maxNumSeqs", "8"));

        assertThat(values.isSet(SEQS)).isTrue();
        assertThat(values.get(SEQS)).isEqualTo(8);
        assertThat(values.deprecatedKeysUsed())
                .isEqualTo(Map.of("engine.batching.maxNumSeqs", "engine.maxNumSeqs"));
        values.rejectUnknown();
    }

    @Test
    void theKeyWinsOverNothingAndTheDefaultAppliesWhenNeitherIsSet() {
        assertThat(new OptionValues(Map.of("engine.maxNumSeqs", "4")).get(SEQS)).isEqualTo(4);
        OptionValues none = new OptionValues(Map.of());
        assertThat(none.isSet(SEQS)).isFalse();
        assertThat(none.get(SEQS)).isEqualTo(16);
        assertThat(none.deprecatedKeysUsed()).isEmpty();
    }

    @Test
    void anOptionWithoutADefaultIsEmptyOrRequired() {
        GlimpseOption<String> servers = GlimpseOption.string("x.servers", null, "Servers.");
        OptionValues values = new OptionValues(Map.of());

        assertThat(values.getOptional(servers)).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> values.get(servers)).hasMessage("x.servers is required");
    }

    @Test
    void aKeyNoOptionReadIsRejectedByName() {
        OptionValues values =
                new OptionValues(Map.of("engine.maxNumSeqs", "4", "engine.maxNumSeq", "4"));
        values.get(SEQS);

        assertThatThrownBy(values::rejectUnknown)
                .hasMessage(
                        "Unknown configuration key 'engine.maxNumSeq' (see the configuration reference in README.md)");
    }

    @Test
    void everyCommandLineShortcutSetsADeclaredKeyUnderItsCurrentName() {
        List<String> keys = GlimpseOptions.ALL.stream().map(GlimpseOption::key).toList();
        for (Map.Entry<String, String> flag : ConfigSource.FLAGS.entrySet()) {
            String key = flag.getValue();
            assertThat(keys.contains(key) || key.startsWith(KafkaOptions.PROPERTIES_PREFIX + "."))
                    .as("%s sets %s", flag.getKey(), key)
                    .isTrue();
        }
    }

    @Test
    void everyOptionHasAUniqueKeyAndADescriptionThatIsASentence() {
        List<String> names = new ArrayList<>();
        for (GlimpseOption<?> option : GlimpseOptions.ALL) {
            names.add(option.key());
            names.addAll(option.deprecatedKeys());
            assertThat(option.description()).as(option.key()).isNotBlank().endsWith(".");
        }

        assertThat(names).doesNotHaveDuplicates();
        assertThat(GlimpseOptions.ALL).contains(EngineOptions.MAX_QUEUED_REQUESTS);
    }
}
