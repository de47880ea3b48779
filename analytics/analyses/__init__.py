"""One question per module, each answered from the database: scores, changes, gaps, rankings, consistency,
measures, plan targets, explanations, what-ifs, reconciliation, audits. Keys and numbers in, keys and numbers out."""
