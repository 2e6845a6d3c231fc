"""Tractatus governance for Microsoft Agent Lightning 1.x (agentlightning==1.0.2).

proxy.py (governed proxy), hooks.py (GovernanceHooks, the trainer's hooks file), rewards.py,
tool_gate.py, stub_model.py + content.py (the stand-in model), agent.py + runner.py +
algorithm.py + backend.py (Demo 2 on the real runtime), gateway.py + stack.py + serving.py
(the servers). See docs/agentlightning.md.
"""
