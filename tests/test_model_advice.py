"""What the cost model recommends (reports/model_advice.py): predictions read as a measured recommendation is read."""
from __future__ import annotations

from reports import model_advice


def test_predicted_recommendation_is_the_simplest_near_the_lowest():
    p = lambda s, k, sec, cores=2, hyp=False: {"workload": "w", "scheduler": s, "kind": k, "predicted_s": sec,  # noqa: E731
                                                "cores_used": cores, "hypothetical": hyp, "dominant_term": "compute",
                                                "terms": {"compute": sec}, "n": 1}
    preds = [p("sync", "sync", 1.0, 1), p("processes-2", "processes", 0.5), p("threads-2", "threads", 0.54),
             p("threads-8", "threads", 0.3, 8, True), p("processes-8", "processes", 0.12, 8, True)]
    (rec,) = model_advice.predicted_recommendations(preds)
    assert rec["scheduler"] == "threads-2" and rec["basis"] == "predicted"  # within 10 %: threads rank first
    assert rec["at_cores"] == {"8": {"scheduler": "processes-8", "predicted_s": 0.12, "dominant_term": "compute"}}
    lines = model_advice.predicted_lines({"predicted_recommendations": [rec]})
    assert lines[0].startswith("PREDICTED w: threads-2 in 540 ms") and "8 cores: processes-8 (120 ms)" in lines[0]


def test_predicted_recommendation_reads_as_the_measured_one_dask_default_when_too_close_to_call():
    p = lambda s, k, sec, coll, cores=2: {"workload": coll, "scheduler": s, "kind": k, "predicted_s": sec,  # noqa: E731
                                          "cores_used": cores, "hypothetical": False, "dominant_term": "gil",
                                          "terms": {"gil": sec}, "n": 1, "collection": coll}
    arr = [p("sync", "sync", 1.0, "array", 1), p("threads-2", "threads", 1.05, "array"),
           p("threads-4", "threads", 1.05, "array")]
    bag = [p("sync", "sync", 1.0, "bag", 1), p("processes-2", "processes", 0.5, "bag"),
           p("processes-2-shipped", "processes", 1.5, "bag")]
    far = [p("sync", "sync", 1.0, "delayed", 1), p("threads-2", "threads", 1.5, "delayed")]
    recs = {r["workload"]: r["scheduler"] for r in model_advice.predicted_recommendations(arr + bag + far)}
    # within 10 % of sync: Dask's default (threads at the machine's cores, fewest workers), as "undecided" reads
    assert recs["array"] == "threads-2"
    # the kept pool is not a candidate beside its as-shipped twin (as recommend reads it); sync beats the default
    assert recs["bag"] == "sync"
    assert recs["delayed"] == "sync"  # the default well beyond the margin: the fastest
    assert [q["scheduler"] for q in model_advice.candidates(bag)] == ["sync", "processes-2-shipped"]
