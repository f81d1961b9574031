"""The weekly status e-mail ("digest"): the month shown first, as the report states it, for leadership's inbox.

``figures`` reads the e-mail's numbers and sentences out of the report dict and the verdicts (never a
rule of its own), ``history`` keeps what each digest sent so the next one can say what changed,
``images`` draws the goal line and the speed chart, ``render`` writes the HTML and plain-text parts,
``build`` puts them together for a workspace,
``source`` finds a saved workspace in the store, ``mail`` sends, ``command`` is ``python -m sla_core digest``.
"""
