"""The answer a diplomat reads: the point first, coherent cited spans, nothing off-topic, a
length budget with a longer version on request, and a briefing note with real footnotes."""

from __future__ import annotations

import re

import pytest

from assistant.answer.spans import spans
from assistant.briefing import footnote_texts, write_briefing_note
from assistant.evaluation import answer_words, is_fragment_line, quoted_lines

PRACTITIONER = [
    "We are launching a partnership with Ghana on agro-processing. How should we design the "
    "capacity-building component so that it outlasts the first donor grant?",
    "What governance structure should we propose for a clean-energy MoU with Vietnam so it "
    "survives ministerial turnover?",
    "How should we involve the private sector?",
    "Give me three metrics to report to the minister after the first year",
    "What went wrong with the Hambantota port?",
    "How was Kenya's standard gauge railway financed?",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", text, flags=re.M))


def test_the_answer_opens_with_the_passage_that_answers_and_keeps_its_enumeration(kb):
    answer = kb.ask(PRACTITIONER[0])
    first = answer.answer.splitlines()[0]
    lead = next(c for c in answer.citations if first.endswith(f"[{c.n}]"))
    assert lead.doc_id == "guidance/capacity-building"
    # The four practices travel together with their lead-in, in the first line.
    assert "Four practices help most" in first
    assert all(word in first for word in ("First,", "Second,", "Third,", "Fourth,"))


def test_context_in_the_question_does_not_pull_in_sentences_that_share_only_that_word(kb):
    answer = kb.ask(PRACTITIONER[0])
    for text, _ in quoted_lines(answer):
        assert "Ghana" not in text, text


@pytest.mark.parametrize("question", PRACTITIONER)
def test_every_line_is_a_cited_whole_sentence_quoted_from_its_passage(kb, question):
    answer = kb.ask(question)
    assert not answer.refused, answer.answer
    by_n = {c.n: c for c in answer.citations}
    lines = quoted_lines(answer)
    assert lines
    for text, n in lines:
        assert not is_fragment_line(text), text
        assert not text.endswith("?"), f"a checklist question shown as an answer: {text}"
        # Each line is one span of the passage it cites, word for word.
        assert text in {s.text for s in spans(by_n[n].text)} or \
            _squash(text) in _squash(by_n[n].text), text
    words = answer_words(answer)
    assert 40 <= words <= 240, (words, answer.answer)


def test_metrics_questions_draw_on_the_indicator_framework(kb):
    answer = kb.ask(PRACTITIONER[3])
    assert "guidance/templates-indicators-and-needs-assessment" in \
        {c.doc_id for c in answer.citations[:2]} or \
        "guidance/monitoring-evaluation-and-metrics" in {c.doc_id for c in answer.citations[:2]}


def test_what_went_wrong_draws_on_the_problems_section(kb):
    answer = kb.ask(PRACTITIONER[4])
    first = answer.answer.splitlines()[0]
    lead = next(c for c in answer.citations if first.endswith(f"[{c.n}]"))
    assert lead.doc_id == "case-studies/sri-lanka-china-hambantota-port"
    assert lead.section in ("Problems and criticism", "Lessons for partnership design")


def test_guidance_answers_show_cases_in_practice_when_the_material_supports_it(kb):
    answer = kb.ask("How should a joint committee be set up?", detail=True)
    text = answer.answer
    assert not answer.refused
    if "**In practice**" in text:
        cases = text.split("**In practice**")[1].split("\n\n")[0]
        assert re.search(r"- \*\*.+\*\*: .+ \[\d+\]", cases)


def test_more_detail_gives_a_longer_answer(kb):
    short = kb.ask("How can guarantees and blended finance reduce risk for investors?")
    long = kb.ask("How can guarantees and blended finance reduce risk for investors?",
                  detail=True)
    assert answer_words(long) > answer_words(short)
    assert answer_words(short) <= 240


def test_the_briefing_note_has_the_standard_layout_and_real_footnotes(kb):
    import docx

    answer = kb.ask("How do we make a capacity-building programme outlast a change of "
                    "government?")
    path = write_briefing_note(answer.to_json())
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Issue", "Key points"] and "Sources" in headings
    notes = footnote_texts(path)
    assert len(notes) >= len(quoted_lines(answer))
    titles = {c.title for c in answer.citations}
    assert all(any(t in note for t in titles) for note in notes)
    assert any("Making capacity building outlast" in note for note in notes)


def test_a_hard_wrapped_paragraph_is_quoted_as_whole_sentences():
    text = ("The ferry operators of both countries pool their timetables so that freight waits "
            "less than a\nday at either port, and a joint desk settles disputes within a week.\n"
            "\n- opened procurement at the federal level;\n- protects a list of indications.\n")
    quoted = [s.text for s in spans(text)]
    assert quoted[0].startswith("The ferry operators") and quoted[0].endswith("within a week.")
    assert not any(is_fragment_line(q) for q in quoted)  # the lead-less list items are dropped


def test_sentence_vectors_pooled_at_ingest_mean_each_sentence(kb, embeddings):
    """Sentence vectors come from the passage's own forward pass (its tokens, pooled per
    sentence), not a second pass: each must still stand for its own sentence, i.e. lie nearest
    to that sentence embedded alone among all the passage's sentences."""
    import numpy as np

    from assistant.answer.spans import VECTORS_KEY, decode_vectors, split_sentences

    got = kb.index.passages.get(where={"doc_id": "guidance/capacity-building"},
                                  include=["documents", "metadatas"])
    checked = 0
    for text, metadata in zip(got["documents"], got["metadatas"], strict=True):
        sentences = split_sentences(text)
        stored = decode_vectors(metadata.get(VECTORS_KEY), 384)
        assert stored is not None and len(stored) == len(sentences)
        if len(sentences) < 3:
            continue
        alone = np.asarray(embeddings.embed_documents(sentences), dtype=np.float32)
        nearest = (stored @ alone.T).argmax(axis=1)
        assert (nearest == np.arange(len(sentences))).mean() >= 0.8, (text[:80], nearest)
        checked += 1
    assert checked >= 3


def test_a_case_named_in_the_question_answers_even_when_guidance_citing_it_ranks_first(kb):
    """The guidance on labour mechanisms cites the Silao case and ranks just ahead of the case
    study; the case study's own Results section is closest in meaning, and it answers."""
    answer = kb.ask("What did the first facility-specific labour case under the USMCA, at the "
                    "Silao truck plant, actually achieve for workers?")
    assert not answer.refused, answer.answer
    first = answer.citations[0]
    assert first.doc_id == "case-studies/usmca-rapid-response-labor-mechanism"
    assert "Results" in (first.section or "")
    assert "Silao" in answer.answer.splitlines()[0]


def _lead(answer):
    first = next(line for line in answer.answer.splitlines() if line.strip())
    return next(c for c in answer.citations if first.rstrip().endswith(f"[{c.n}]"))


def test_the_section_people_ask_of_leads_the_answer(kb):
    """Labelled questions (knowledge/eval/train/sections.jsonl) say which section answers:
    without them a charter template's secretariat clause led this answer."""
    assert kb.answerer.sections is not None
    answer = kb.ask("We cannot afford a standing secretariat with Zambia. What is the least we "
                    "need so that follow-up does not fall through the cracks?")
    lead = _lead(answer)
    assert (lead.doc_id, lead.section) == ("guidance/governance-structures",
                                           "Secretariats and contact points")


def test_the_kind_of_case_section_asked_for_is_learned_whatever_the_case(kb, embeddings):
    model = kb.answerer.sections
    for question, kind in [
            ("Did the programme actually deliver, and what do the numbers show?",
             "results and metrics"),
            ("Who put up the money for it, and on what terms were the loans?", "financing"),
            ("Why did critics at home object to the deal?", "problems and criticism")]:
        p = model.kind(embeddings.embed_query(question), question)
        assert max(p, key=p.get) == kind, (question, p)


def test_questions_asked_of_a_case_vote_for_its_sections(embeddings):
    """Among the labelled questions about one case study, the nearest say which of its
    sections a new question asks for, though all of them share the case's words."""
    from assistant.answer.sections import build

    case = "case-studies/some-railway"
    rows = [{"question": q, "doc_id": case, "section": s} for q, s in [
        ("Who lent the money for the line and at what interest rate?", "Financing"),
        ("How much of the construction bill came from the state budget?", "Financing"),
        ("What did exporters lose once the talks broke down?", "Results and metrics"),
        ("How many passengers and tonnes of freight did the line carry?", "Results and metrics"),
        ("Why did opposition politicians attack the contract?", "Problems and criticism"),
        ("Which parts of the deal did critics call unfair?", "Problems and criticism")]]
    vectors = embeddings.embed_documents([r["question"] for r in rows])
    model = build(rows, vectors)
    for question, section in [
            ("What did companies give up when the negotiations collapsed?",
             "results and metrics"),
            ("Which bank financed the railway, and on what terms?", "financing")]:
        votes = model.case_votes(embeddings.embed_query(question), case)
        assert max(votes, key=votes.get) == (case, section), (question, votes)
    assert model.case_votes(embeddings.embed_query("anything"), "case-studies/other") == {}


def test_questions_labelled_with_a_guidance_opening_section_vote_little(embeddings):
    """The training files ask for every section of a guidance document as often, its opening
    ("Why ... matters") too, though askers almost never want it: its labelled questions' votes
    count for little unless the question asks what the subject is or why it matters."""
    from assistant.answer.sections import build

    doc = "guidance/some-theme"
    rows = [{"question": q, "doc_id": doc, "section": s} for q, s in [
        ("Why do partners need joint planning at all?", "Why joint planning matters"),
        ("What is joint planning for in a partnership?", "Why joint planning matters"),
        ("What goes wrong with joint plans after the launch summit?", "Common failure modes"),
        ("How do we set milestones someone outside can check?", "Milestones that can be checked")]]
    model = build(rows, embeddings.embed_documents([r["question"] for r in rows]))
    question = "Why do joint plans fall apart a few years after the summit?"
    votes = model.votes(embeddings.embed_query(question), question=question)
    assert max(votes, key=votes.get) == (doc, "common failure modes"), votes
    unweighted = model.votes(embeddings.embed_query(question))
    assert votes.get((doc, "why joint planning matters"), 0) < \
        unweighted.get((doc, "why joint planning matters"), 0) / 2, (votes, unweighted)
    asked = "Why does a partnership need joint planning?"
    votes = model.votes(embeddings.embed_query(asked), question=asked)
    assert max(votes, key=votes.get) == (doc, "why joint planning matters"), votes


def test_a_case_question_is_led_by_the_section_such_questions_were_asked_of(kb):
    """"What did they lose" is asked of a case's Results, though its Capacity building section
    shares more of the question's words (led it before the case's questions voted)."""
    answer = kb.ask("What did Swiss companies and universities lose once the institutional "
                    "framework talks with Brussels collapsed?")
    lead = _lead(answer)
    assert (lead.doc_id, lead.section) == ("case-studies/eu-switzerland-bilateral-agreements",
                                           "Results and metrics"), answer.answer


def test_without_labelled_section_questions_the_brief_still_answers(tmp_path, embeddings):
    from assistant.answer.sections import load_sections

    assert load_sections(tmp_path / "absent.jsonl", embeddings, "any", tmp_path) is None


def test_a_question_that_names_no_case_is_answered_by_the_guidance_first(kb):
    """A case study's "Results and metrics" heading shares the question's words, but a question
    that names no case is answered by the guidance; cases follow as examples."""
    answer = kb.ask("Which numbers should we put in the first annual report to our minister?")
    assert not answer.refused, answer.answer
    assert _lead(answer).doc_type == "guidance", answer.answer


def test_the_question_map_is_fitted_to_the_index_it_answers_from(kb, make_assistant, tmp_path):
    """The section model's adapter is fitted against the search index in use (sections.py):
    for knowledge/ it maps questions near the passages such questions were written for; a
    folder the labelled questions are not about gets none, and answers as before."""
    import numpy as np

    from assistant.answer.sections import adapt

    model = kb.answerer.sections
    adapter = model.adapter(kb.retriever.lexical())
    assert adapter is not None and adapter.shape == (384, 384)
    lexical = kb.retriever.lexical()
    question = "How does a stuck irritant move up from officials to ministers?"
    q = np.asarray(kb.embeddings.embed_query(question), dtype=np.float32)
    rows = [i for i, m in enumerate(lexical.metadatas)
            if m["doc_id"] == "guidance/governance-structures" and
            m.get("section", "").startswith("Decision rights and escalation")]
    target = np.asarray(lexical.vectors[rows], dtype=np.float32)
    assert (target @ adapt(q, adapter)).max() > (target @ q).max()
    small = tmp_path / "kb"
    small.mkdir()
    (small / "note.md").write_text("# Port twinning\n\nTwo port authorities exchange staff "
                                   "for six weeks a year.\n", encoding="utf-8")
    other = make_assistant(small)
    assert other.ingest(progress=False).ok
    assert other.answerer.sections.adapter(other.retriever.lexical()) is None
    assert not other.ask("How long do port staff exchanges last?").refused


def test_a_case_named_only_by_its_acronym_leads_its_own_answer(kb):
    # "SGR" is the title's Standard Gauge Railway: the case answers, not blended-finance guidance
    answer = kb.ask("How was the SGR financed?")
    assert not answer.refused
    assert answer.citations[0].doc_id == "case-studies/kenya-china-standard-gauge-railway"
    assert answer.citations[0].section.endswith("Financing")


def test_a_how_question_about_a_case_is_not_led_by_its_background(kb):
    # The section classifier learned from files holding as many Background questions as any
    # other kind; with that share it led this answer with the ECRL's Background (the 2016
    # signing), not the Governance section that tells how the renegotiation was run.
    answer = kb.ask("How did Malaysia renegotiate the ECRL?")
    first = answer.answer.splitlines()[0]
    assert answer.citations[0].section.endswith("Governance"), answer.citations[0].section
    assert "Daim Zainuddin" in first, first


def test_a_section_cut_into_two_passages_answers_as_a_whole(kb):
    # "Civil society bodies" is stored as two passages; only its first, on how the groups are
    # set up, was evidence, so the answer said how they work and never why they achieve little
    answer = kb.ask("Why have the domestic advisory groups under EU trade deals had so little "
                    "say over decisions?")
    assert "information-sharing" in answer.answer, answer.answer
    assert answer.citations[0].section.endswith("Civil society bodies")


@pytest.mark.parametrize("question, section", [
    ("A donor has withdrawn its pledge to our renewables programme. What should our press "
     "statement say?", "Communicating setbacks honestly"),
    ("How should a stuck market-access problem move up from technical officials to ministers?",
     "Decision rights and escalation"),
])
def test_the_section_labelled_questions_point_to_can_lead_though_search_ranked_it_low(
        kb, question, section):
    # neither section is among the search's top five passages; the nearest labelled questions
    # were asked of it, so it joins the evidence and the ranker picks it
    answer = kb.ask(question)
    assert answer.citations[0].section.endswith(section), answer.citations[0].section


@pytest.mark.parametrize("question", [
    "Journalists keep describing Germany's green partnership with India as aid. What is it "
    "made of, in loans versus grants?",
    "How has Korea judged whether the advice given through its KSP made a difference?",
    "Programme manager here. How are the advisory groups of the EU–Vietnam deal resourced, and "
    "does the difference affect their monitoring?",
])
def test_a_word_of_comparison_alone_does_not_make_a_table(kb, question):
    """"Loans versus grants", "made a difference": nothing named is compared, so no table with
    "Journalists" and "Germany's" as its columns."""
    answer = kb.ask(question)
    assert not answer.refused, answer.reason
    assert answer.shape != "comparison" and "|---|" not in answer.answer, answer.answer[:300]


def test_two_named_cases_compared_still_get_a_table(kb):
    answer = kb.ask("How did the Kenyan SGR and Malaysia's ECRL differ in how they were financed?")
    assert answer.shape == "comparison", answer.answer[:300]
    assert "|---|" in answer.answer


@pytest.mark.parametrize("question, case", [
    ("We sign the economic partnership with Vietnam next month and it sets up six joint "
     "committees. What should we check beforehand so they do not end up as empty shells?",
     "case-studies/eu-vietnam-fta-domestic-advisory-groups"),
    ("Before we commit our agencies to the implementation plan with Morocco, what should we "
     "check about their legal powers and coordination across ministries?",
     "case-studies/eu-morocco-association-and-western-sahara"),
])
def test_the_askers_own_partner_country_does_not_make_its_case_study_the_answer(kb, question,
                                                                              case):
    answer = kb.ask(question)
    first = answer.answer.splitlines()[0]
    lead = next(c for c in answer.citations if first.endswith(f"[{c.n}]"))
    assert lead.doc_type == "guidance", (lead.doc_id, first)
    assert lead.doc_id != case


def test_a_how_should_question_gets_the_sentence_that_says_what_to_do(kb):
    # "The practical response is a joint reconciliation study ..." gives the advice asked for,
    # though it has no "should" in it
    answer = kb.ask("Our statistics office reports exports to Chile that are a fifth lower than "
                    "Chile's recorded imports from us, and a senator says we cook the books. How "
                    "should the two statistical agencies deal with the difference?")
    assert "joint reconciliation study" in answer.answer, answer.answer


def test_a_table_is_quoted_whole_with_its_lead_in():
    text = ("A simple register has these columns:\n\n| Column | Content |\n|---|---|\n"
            "| Risk | Short description of the event |\n| Owner | A named official on each side |"
            "\n\nThe register is reviewed at every meeting of the committee.")
    quoted = [s.text for s in spans(text)]
    assert quoted[0] == ("A simple register has these columns: Risk (short description of the "
                         "event); Owner (a named official on each side).")
    assert not any(text.startswith("| Column") for text in quoted)  # the header is no row


def test_a_question_about_a_tables_columns_gets_the_table(kb):
    answer = kb.ask("For a workshop, which columns should the two delegations put in their "
                    "shared risk register?")
    assert not answer.refused
    assert "Early warning indicator (what data would show the risk is rising)" in answer.answer
    assert not any(is_fragment_line(text) for text, _ in quoted_lines(answer))


def test_an_acronym_the_case_itself_uses_makes_it_the_case_asked_about(kb):
    # "JCC" names no country and no title word, but CPEC's text uses it: its case answers,
    # not the guidance on joint committees
    answer = kb.ask("Who co-chairs the JCC on each side, and where did its 12th special "
                    "session meet?")
    lead = _lead(answer)
    assert lead.doc_id == "case-studies/china-pakistan-economic-corridor", lead.doc_id
    assert "Beijing" in answer.answer.split("\n")[0]


def test_a_lessons_line_counts_as_advice_for_a_what_have_others_learned_question(kb):
    answer = kb.ask("Customs in our biggest export market began rejecting our shrimp over "
                    "unexplained sanitary findings, days after our foreign minister criticised "
                    "its government. What have other countries learned about responding to "
                    "pressure like this?")
    assert "diversify markets before coercion starts" in answer.answer


@pytest.mark.parametrize("question, section, words", [
    # a guidance document's opening section ("What trade facilitation covers") does not lead
    # a question about one part of it
    ("We want a one-stop electronic lodgement system shared with our partner's border agencies. "
     "What usually goes wrong with these?",
     "Customs cooperation and single windows", "paper processes"),
    ("We plan a fifteen-year economic partnership with Senegal. What should go in the first two "
     "years and what later, so it survives several elections?",
     "Short, medium and long horizons", "each expected term"),
    # "fall apart" asks what goes wrong
    ("Why do the action plans behind bilateral partnerships tend to fall apart a few years after "
     "the summit?", "Common failure modes of partnership strategies", "no budget lines"),
])
def test_the_part_asked_about_leads_not_the_documents_opening(kb, question, section, words):
    answer = kb.ask(question)
    lead = _lead(answer)
    assert lead.section == section, (lead.doc_id, lead.section)
    assert words in answer.answer, answer.answer[:300]


def test_a_headline_sentence_is_quoted_with_the_sentence_that_says_what_it_means():
    text = ("The hard parts are rarely technical. Single windows stall when agencies will not "
            "give up their own paper processes. Regional single windows connect national systems.")
    quoted = [s.text for s in spans(text)]
    assert quoted[0] == ("The hard parts are rarely technical. Single windows stall when agencies "
                         "will not give up their own paper processes.")
    assert quoted[1] == "Regional single windows connect national systems."


def test_the_next_of_a_counted_set_is_quoted_with_the_set():
    text = ("Partnership plans usually fail in familiar ways. The most common is a long wish list "
            "with no budget. A second is ownership by one ministry. A third is a single personal "
            "link between leaders. Each failure has a remedy described elsewhere.")
    [first, rest] = spans(text)
    assert first.text.startswith("Partnership plans usually fail") and \
        "A third is a single personal link" in first.text, first.text
    assert rest.text.startswith("Each failure"), rest.text


def test_no_answer_line_opens_with_the_fifth_of_a_set_it_does_not_show(kb):
    answer = kb.ask("Why do joint partnership plans fall apart a few years after the launch "
                    "summit?")
    lines = [text for text, _ in quoted_lines(answer)]
    assert lines and not any(re.match(r"\W*(the most common|an? (second|third|fourth|fifth))\b",
                                      line, re.IGNORECASE) for line in lines), lines
    assert "fail in predictable ways" in answer.answer, answer.answer[:300]


def test_the_other_passage_of_a_section_joins_when_the_search_did_not_find_it(kb):
    # the coercion section is stored as two passages; the search found only the first, so the
    # answer told the Australian story and never the lessons the second passage draws from it
    answer = kb.ask("Our wine and barley growers were suddenly hit with punitive duties by a big "
                    "buyer after a diplomatic row. What have other countries learned from "
                    "episodes like this?")
    first = next(line for line in answer.answer.splitlines() if line.strip())
    assert "diversify markets before coercion starts" in first, answer.answer


def test_a_question_asking_for_lessons_leads_with_the_line_that_draws_them(kb):
    answer = kb.ask("A big customer of ours slapped duties on our wine after a political spat. "
                    "What lessons have other governments drawn from that kind of pressure?")
    first = next(line for line in answer.answer.splitlines() if line.strip())
    assert first.startswith("Lessons: diversify markets"), answer.answer


def test_examples_from_one_named_case_give_its_detail_not_a_one_line_list(kb):
    # the examples shape lists one line per case; with one case named, that line said the
    # work "has been the most concrete" and hid the projects themselves
    answer = kb.ask("Can you give examples of how JICA helped Mexican auto-parts makers under the "
                    "Japan–Mexico EPA?")
    lines = [line for line in answer.answer.splitlines() if line.strip()]
    assert len(lines) >= 3, answer.answer
    assert "tier-two firms" in answer.answer and "tier-one suppliers" in answer.answer
    assert {c.doc_id for c in answer.citations} == {"case-studies/japan-mexico-epa"}


def test_running_late_asks_what_went_wrong(kb):
    # "running years late" named no problem word, and the case's Results section led
    answer = kb.ask("Why is India's Shinkansen line running years late?")
    assert _lead(answer).section == "Problems and criticism", answer.answer
