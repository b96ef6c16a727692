"""Benchmarks of hostbot (`make bench`): real processes on loopback, figures appended to bench/RESULTS.md.

    ack_load.py    `hostbot run` under 200 signed /host commands, 50 at a time, vendors answering in 1.5 s
    overhead.py    the same harness against a bare slack-bolt AsyncApp (bolt_peer.py), vendors instant
    limits.py      batch sizes (invite, Webex reassign) and a 500-command burst against Feishu's 50/s,
                   with the bot's footprint (start-up time, RSS idle and after the burst)
    harness.py     processes (sandbox, bot, peer), the signed-command client, statistics, RESULTS.md
    sandbox_proc.py the vendor fakes in a process of their own, with a small summary API
Not part of `make test`: every run is bounded in count and time and stops by itself.
"""
