"""Text metrics shared by the evaluation scripts (evaluate.py, calibration.py)."""


def edit_distance(a, b):
    """Levenshtein distance between two sequences (strings, or lists of words), unit costs."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
