"""Fixed texts the assistant speaks with: refusals, example questions, labels."""

REFUSAL = "The knowledge base does not cover this question."

# One question per topic that the knowledge base answers well: offered after a refusal and as
# examples on the chat page.
TOPIC_QUESTIONS = {
    "governance": "How should a joint committee for a bilateral partnership be set up?",
    "capacity-building":
        "How do we make a capacity-building programme outlast a change of government?",
    "finance": "How can guarantees and blended finance reduce risk for investors in a partnership?",
    "trust-building": "Which confidence-building measures help at the start of a partnership?",
    "monitoring-evaluation": "Which indicators and baselines should a partnership track?",
    "dispute-resolution": "How can disputes be prevented before they reach a formal panel?",
    "labour-standards": "How does the USMCA Rapid Response Labor Mechanism work?",
    "infrastructure": "What went wrong with the Hambantota port project?",
    "agreement-design": "How should rules of origin be designed in a bilateral agreement?",
    "trade-facilitation": "How does a single window speed up customs clearance?",
    "environment": "How did Norway and Indonesia pay for results in reducing deforestation?",
    "stakeholder-inclusion": "How can civil society take part in monitoring a trade agreement?",
    "resilience": "How can a partnership prepare for economic coercion or sudden trade measures?",
    "energy": "What are the risks in the Germany–Namibia green hydrogen partnership?",
    "industrial-policy": "How did Singapore transfer its know-how to the Suzhou Industrial Park?",
    "digital-trade": "What does the Singapore–Australia Digital Economy Agreement cover?",
}

EXAMPLE_QUESTIONS = [
    TOPIC_QUESTIONS["governance"],
    TOPIC_QUESTIONS["capacity-building"],
    TOPIC_QUESTIONS["finance"],
    TOPIC_QUESTIONS["labour-standards"],
    TOPIC_QUESTIONS["infrastructure"],
    TOPIC_QUESTIONS["industrial-policy"],
]

DOC_TYPE_LABELS = {
    "guidance": "guidance",
    "case-study": "case study",
    "agreement": "agreement text",
    "reference": "reference",
}
