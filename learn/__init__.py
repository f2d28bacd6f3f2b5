"""Learning from the training districts (training/districts/): the examples, the learned ranker,
the confidence model and the fine-tuned embedder, each rebuilt by `plan-assistant train`."""
