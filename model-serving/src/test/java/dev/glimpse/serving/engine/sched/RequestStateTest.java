package dev.glimpse.serving.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.SamplingParams;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestStateTest {
    private static Sequence seq() {
        return new Sequence(
                "s",
                "r",
                new int[] {1, 2, 3},
                new int[0],
                List.of(),
                List.of(),
                4,
                Set.of(),
                SamplingParams.GREEDY);
    }

    @Test
    void newSequenceWaits() {
        assertThat(seq().state()).isEqualTo(RequestState.WAITING);
    }

    @Test
    void waitingCanStartOrAbortButNotFinishWithAnAnswer() {
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.RUNNING)).isTrue();
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.FINISHED_CANCELLED)).isTrue();
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.FINISHED_DEADLINE)).isTrue();
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.FINISHED_STOPPED)).isFalse();
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.FINISHED_LENGTH)).isFalse();
        assertThat(RequestState.WAITING.canTransitionTo(RequestState.WAITING)).isFalse();
    }

    @Test
    void finishedStatesAreTerminal() {
        for (RequestState s : RequestState.values()) {
            if (s.isFinished()) {
                for (RequestState next : RequestState.values()) {
                    assertThat(s.canTransitionTo(next)).as(s + " -> " + next).isFalse();
                }
            }
        }
    }

    @Test
    void illegalTransitionIsRejectedAndLeavesStateUnchanged() {
        Sequence s = seq();
        assertThatThrownBy(() -> s.transitionTo(RequestState.FINISHED_STOPPED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sequence s: illegal transition WAITING -> FINISHED_STOPPED");
        assertThat(s.state()).isEqualTo(RequestState.WAITING);

        s.transitionTo(RequestState.RUNNING);
        s.transitionTo(RequestState.FINISHED_LENGTH);
        assertThatThrownBy(() -> s.transitionTo(RequestState.RUNNING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sequence s: illegal transition FINISHED_LENGTH -> RUNNING");
        assertThat(s.state()).isEqualTo(RequestState.FINISHED_LENGTH);
    }

    @Test
    void predicatesClassifyStates() {
        assertThat(RequestState.RUNNING.holdsKv()).isTrue();
        assertThat(RequestState.WAITING.holdsKv()).isFalse();
        assertThat(RequestState.FINISHED_SCORED.isSuccess()).isTrue();
        assertThat(RequestState.FINISHED_CANCELLED.isSuccess()).isFalse();
        assertThat(RequestState.FINISHED_CANCELLED.isFinished()).isTrue();
        assertThat(RequestState.RUNNING.isFinished()).isFalse();
    }
}
