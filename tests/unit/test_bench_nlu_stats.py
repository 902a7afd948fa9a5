"""The paired test that says whether one NLU pipeline is really ahead of another."""

from bench.nlu_report import mcnemar, paired_comparisons


def test_mcnemar_counts_only_the_messages_the_two_disagree_on():
    first = [True] * 80 + [True] * 15 + [False] * 5
    second = [True] * 80 + [False] * 15 + [True] * 5
    result = mcnemar(first, second)
    assert (result["only_first"], result["only_second"]) == (15, 5)
    assert 0.03 < result["p_value"] < 0.05  # exact binomial, two-sided: 0.041


def test_a_small_gap_is_not_called_a_difference():
    first = [True] * 6 + [False] * 4
    second = [False] * 4 + [True] * 6
    assert mcnemar(first, second)["p_value"] > 0.5
    assert mcnemar([True, False], [True, False])["p_value"] == 1.0  # identical: no evidence


def test_paired_comparisons_pit_the_first_pipeline_against_each_other():
    def run(name, predicted):
        gold = ["a", "b", "c", "d"]
        return {
            "name": name,
            "accuracy": sum(g == p for g, p in zip(gold, predicted)) / 4,
            "predictions": [{"gold": g, "predicted": p} for g, p in zip(gold, predicted)],
        }

    rows = paired_comparisons(
        [run("project", "abcx"), run("default", "abxx"), run("tfidf", "xbcd")]
    )
    assert [(r["second"], r["only_first"], r["only_second"]) for r in rows] == [
        ("default", 1, 0),
        ("tfidf", 1, 1),
    ]
    assert rows[0]["accuracy_gap"] == 0.25
