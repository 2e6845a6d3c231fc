"""The governed proxy in front of the real AGL gateway: what the agent gets, what AGL records, fail closed."""

from __future__ import annotations

import json
import threading

import httpx
from agl_support import ADMIN, completion_url, events, new_rollout

from tractatus.governance.actions import Action, Decision
from tractatus.governance.audit import AuditLog
from tractatus.governance.governor import Governor
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.proxy import ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stack import Stack
from tractatus.lab.envs.grammar import Grammar


def ask(http: httpx.Client, url: str, prompt: str, **extra: object) -> httpx.Response:
    return http.post(url, json={"model": "any", "messages": [{"role": "user", "content": prompt}], **extra})


def article_prompt(grammar: Grammar, strategy: str, topic: int = 0, wording: int = 0) -> str:
    return build_prompt(
        grammar, topic, grammar.choice({**grammar.spec.strategies[strategy], "wording": wording})
    )


def test_an_informative_answer_passes_unchanged_and_is_recorded(
    stack: Stack, http: httpx.Client, grammar: Grammar, audit: AuditLog
) -> None:
    rid = new_rollout(stack, http)
    prompt = article_prompt(grammar, "informative")
    governed = ask(http, completion_url(stack.proxy_url, rid), prompt)
    direct = ask(http, f"{stack.model_endpoint}/chat/completions", prompt)
    assert governed.status_code == 200
    assert governed.headers["x-tractatus-verdict"] == "allow"
    assert (
        governed.json()["choices"][0]["message"]["content"]
        == direct.json()["choices"][0]["message"]["content"]
    )
    recorded = events(stack, http, rid)
    assert [e["event_type"] for e in recorded] == ["model_request", "governance"]
    decision = recorded[1]["data"]
    assert decision["verdict"] == "allow" and decision["action_kind"] == "response"
    entry = audit.get(decision["audit_seq"])
    assert entry is not None and entry.action_digest == decision["action_digest"] and entry.verdict == "allow"


def test_clickbait_never_reaches_the_agent_but_agl_keeps_the_raw_sample(
    stack: Stack, http: httpx.Client, grammar: Grammar, audit: AuditLog
) -> None:
    rid = new_rollout(stack, http)
    prompt = article_prompt(grammar, "sensational", wording=0)
    raw = ask(http, f"{stack.model_endpoint}/chat/completions", prompt).json()["choices"][0]["message"][
        "content"
    ]
    headline = raw.splitlines()[0].removeprefix("Headline: ")
    governed = ask(http, completion_url(stack.proxy_url, rid), prompt)
    assert governed.status_code == 200
    assert headline not in governed.text  # nowhere in the answer: not in content, ids or log-probs
    choice = governed.json()["choices"][0]
    assert governed.headers["x-tractatus-verdict"] == "block"
    assert choice["finish_reason"] == "content_filter"  # as OpenAI signals its own filter
    assert choice["message"]["content"] is None  # the refusal is never model output
    assert (
        choice["message"]["refusal"].startswith("[tractatus]") and "clickbait" in choice["message"]["refusal"]
    )
    assert set(choice) == {"index", "message", "finish_reason"}
    assert set(choice["message"]) == {"role", "content", "refusal"}
    recorded = events(stack, http, rid)
    sample = next(e for e in recorded if e["event_type"] == "model_request")
    assert sample["data"]["response"]["choices"][0]["message"]["content"] == raw  # training still sees it
    decision = next(e for e in recorded if e["event_type"] == "governance")["data"]
    assert decision["verdict"] == "block" and decision["severity"] is not None
    assert any(r.startswith("clickbait") for r in decision["rule_ids"])
    assert audit.get(decision["audit_seq"]).verdict == "block"


def test_blocked_tool_calls_are_removed_and_allowed_ones_kept(stack: Stack, http: httpx.Client) -> None:
    rid = new_rollout(stack, http)
    prompt = (
        'call: search {"q": "bus lanes"}\ncall: shell.exec {"command": "rm -rf /"}\ncall: launch_missiles {}'
    )
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("search", "shell.exec")
    ]
    answer = ask(http, completion_url(stack.proxy_url, rid), prompt, tools=tools).json()
    message = answer["choices"][0]["message"]
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["search"]
    assert "shell.exec" not in json.dumps(message["tool_calls"]) and "rm -rf" not in json.dumps(answer)
    assert message["content"] is None and "withheld" in message["refusal"]
    assert answer["choices"][0]["finish_reason"] == "content_filter"
    verdicts = {
        e["data"]["tool"]: e["data"]["verdict"]
        for e in events(stack, http, rid)
        if e["event_type"] == "governance"
    }
    assert verdicts == {"search": "allow", "shell.exec": "block", "launch_missiles": "block"}


def test_only_blocked_tool_calls_leave_a_plain_refusal(stack: Stack, http: httpx.Client) -> None:
    rid = new_rollout(stack, http)
    tools = [{"type": "function", "function": {"name": "read_file"}}]
    answer = ask(
        http,
        completion_url(stack.proxy_url, rid),
        'call: read_file {"path": "/home/me/.ssh/id_rsa"}',
        tools=tools,
    ).json()
    choice = answer["choices"][0]
    assert "tool_calls" not in choice["message"] and choice["finish_reason"] == "content_filter"
    assert "read_file.no-secrets" in choice["message"]["refusal"] and choice["message"]["content"] is None


def test_bad_requests_get_4xx(stack: Stack, http: httpx.Client) -> None:
    rid = new_rollout(stack, http)
    url = completion_url(stack.proxy_url, rid)
    assert http.post(url, content=b"{not json").status_code == 400
    assert http.post(url, json=[1, 2]).status_code == 400
    assert ask(http, completion_url(stack.proxy_url, "no-such-rollout"), "topic_id: 0").status_code == 404
    assert http.post(url.replace("chat/completions", "embeddings"), json={}).status_code == 404
    assert http.post(url.replace("/mode/train/", "/mode/eval/"), json={"messages": []}).status_code == 404


class ExplodingGovernor:
    def decide_batch(self, actions: list[Action]) -> list[Decision]:
        raise RuntimeError("governor down")


def test_a_governor_that_fails_means_no_response(stack: Stack, http: httpx.Client, grammar: Grammar) -> None:
    settings = ProxySettings(gateway_url=stack.gateway_url, gateway_key=ADMIN["authorization"][7:])
    with ServerThread(create_governed_proxy(ExplodingGovernor(), settings), name="failing proxy") as proxy:
        rid = new_rollout(stack, http)
        response = ask(http, completion_url(proxy.url, rid), article_prompt(grammar, "informative"))
    assert response.status_code == 503
    assert (
        "choices" not in response.json() and "governance unavailable" in response.json()["error"]["message"]
    )


def test_an_unreachable_gateway_means_no_response(governor: Governor, http: httpx.Client) -> None:
    with ServerThread(
        create_governed_proxy(governor, ProxySettings(gateway_url="http://127.0.0.1:9")), name="orphan proxy"
    ) as proxy:
        response = ask(http, completion_url(proxy.url, "r1"), "topic_id: 0")
    assert response.status_code == 502 and "gateway unreachable" in response.json()["error"]["message"]


def test_stopping_the_governor_mid_run_lets_no_unvetted_response_through(
    stack: Stack, http: httpx.Client, grammar: Grammar, governor: Governor
) -> None:
    """Agents keep calling while the governor is closed under them: every answer is vetted or refused."""
    rid = new_rollout(stack, http)
    prompts = [
        article_prompt(grammar, s, topic=t, wording=w)
        for s in ("informative", "sensational")
        for t in range(3)
        for w in range(3)
    ]
    raw = {
        p: ask(http, f"{stack.model_endpoint}/chat/completions", p).json()["choices"][0]["message"]["content"]
        for p in prompts
    }
    received: list[tuple[str, httpx.Response]] = []
    closed = threading.Event()

    def agent(batch: list[str]) -> None:
        with httpx.Client(timeout=30.0) as client:
            for _ in range(3):
                for p in batch:
                    received.append((p, ask(client, completion_url(stack.proxy_url, rid), p)))
                    if len(received) == len(prompts):
                        governor.close()
                        closed.set()

    threads = [threading.Thread(target=agent, args=(prompts[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert closed.is_set()
    decisions = [e["data"] for e in events(stack, http, rid) if e["event_type"] == "governance"]
    assert any(d["rule_ids"] == ["engine.error"] for d in decisions)  # calls did arrive after the close
    for prompt, response in received:
        if response.status_code != 200:
            continue
        message = response.json()["choices"][0]["message"]
        verdict = response.headers["x-tractatus-verdict"]
        if verdict == "allow":
            assert message["content"] == raw[prompt]
        else:
            assert message["content"] is None and message["refusal"].startswith("[tractatus]")
    after = [d for d in decisions if d["rule_ids"] == ["engine.error"]]
    assert all(d["verdict"] == "block" for d in after)
    refused_after_close = [r for _, r in received if r.status_code == 200 and "engine.error" in r.text]
    assert len(refused_after_close) == len(after) > 0


def test_agents_cannot_forge_governance_records(stack: Stack, http: httpx.Client) -> None:
    rid = new_rollout(stack, http)
    url = f"{stack.proxy_url}/api/rollouts/{rid}/attempt/0/events"
    forged = http.post(url, json={"event_type": "governance", "data": {"verdict": "allow"}})
    fake_reward = http.post(
        url, json={"event_type": "reward", "data": {"value": 1.0, "source": "governance"}}
    )
    honest = http.post(url, json={"event_type": "reward", "data": {"value": 0.5, "source": "agent"}})
    assert forged.status_code == 403 and fake_reward.status_code == 403 and honest.status_code == 200
    assert [(e["event_type"], e["data"]) for e in events(stack, http, rid)] == [
        ("reward", {"value": 0.5, "source": "agent"})
    ]


def test_an_agent_key_is_enforced_when_set(stack: Stack, http: httpx.Client, governor: Governor) -> None:
    settings = ProxySettings(
        gateway_url=stack.gateway_url, gateway_key=ADMIN["authorization"][7:], agent_key="agent-secret"
    )
    with ServerThread(create_governed_proxy(governor, settings), name="keyed proxy") as proxy:
        rid = new_rollout(stack, http)
        url = completion_url(proxy.url, rid)
        body = {"messages": [{"role": "user", "content": "topic_id: 0"}]}
        missing = http.post(url, json=body)
        wrong = http.post(url, json=body, headers={"authorization": "Bearer nope"})
        right = http.post(url, json=body, headers={"authorization": "Bearer agent-secret"})
        by_header = http.post(url, json=body, headers={"x-api-key": "agent-secret"})
    assert missing.status_code == wrong.status_code == 401
    assert right.status_code == by_header.status_code == 200


def test_the_agl_internals_the_in_process_proxy_uses_are_there() -> None:
    """AGL 1.0.2 has no public API to forward a model call or append an event in-process; the shim
    (proxy.InProcessGateway) uses these, so an AGL upgrade that moves them fails here, by name."""
    import inspect
    from importlib.metadata import version

    from agentlightning.server import proxy as agl_proxy
    from agentlightning.server import store
    from agentlightning.server.routes import events as agl_events

    assert version("agentlightning") == "1.0.2"  # the version these were read from
    forward = inspect.signature(agl_proxy.forward_request).parameters
    assert {"client", "server", "body", "upstream_path", "rollout_id", "attempt_id", "pause_state"} <= set(
        forward
    )
    assert list(inspect.signature(agl_events.record_event).parameters) == [
        "rollout_id",
        "attempt_id",
        "event_type",
        "data",
    ]
    assert {"select_server", "prepare_body", "model_name"} <= set(dir(agl_proxy.ProxyRouter))
    assert issubclass(agl_proxy.NoServersError, Exception)
    assert isinstance(store._rollouts, dict) and isinstance(store._models, dict)
