"""The pasted-forum-page loader: header lines, posts vs comments, authors, quotes, ids, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from cruxmap import loaders
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import author_id
from cruxmap.loaders.forum_text import find_quotes, parse, parse_forum_text, parse_header, sniff, split_votes

DATA = Path(__file__).resolve().parent / "data"
FRONTPAGE = (DATA / "pasted_frontpage.txt").read_text(encoding="utf-8")
POSTPAGE = (DATA / "pasted_postpage.txt").read_text(encoding="utf-8")

#: Every display name that has a header line in pasted_frontpage.txt.
FRONTPAGE_HEADER_AUTHORS = {
    "Mira Okonkwo-Hale", "Dana Whitfield", "J. R. Castellanos", "quantum_wombat",
    "Søren Ødegaard", "Kenji Watanabe", "Amara Nwosu", "Lukas Brenner", "ellie.m",
    "Priya Raman", "k8s_gardener", "Tobias Lindqvist", "Wei-Lin Chou", "Fergus O'Malley",
}
#: Names that only appear inside bodies of pasted_frontpage.txt.
FRONTPAGE_MENTIONED_ONLY = {"Greta Lindholm", "Marcus Feld", "Hannah Schiller", "Mira", "Marcus"}


def lw(name: str) -> str:
    return author_id(name, "lw")


@pytest.fixture(scope="module")
def front():
    return parse(FRONTPAGE, source="pasted_frontpage.txt")


@pytest.fixture(scope="module")
def page():
    return parse(POSTPAGE, source="pasted_postpage.txt")


def post_titled(thread, title):
    return next(p for p in thread.posts if p.title == title)


def names(thread, ids):
    by_id = {a.id: a.name for a in thread.authors}
    return [by_id[i] for i in ids]


# --- header lines ------------------------------------------------------------------
@pytest.mark.parametrize("line, name, age, score, agreement, af", [
    ("Jane Q. Public3h", "Jane Q. Public", "3h", None, None, False),
    ("12Jane Q. Public3h", "Jane Q. Public", "3h", 12, None, False),
    ("Jane Q. Public12hΩ4210", "Jane Q. Public", "12h", 42, 10, True),
    ("Jane Q. Public2d33-1", "Jane Q. Public", "2d", 33, -1, False),
    ("Jane Q. Public28mΩ110", "Jane Q. Public", "28m", 11, 0, True),
    ("Jane Q. Public11mo4 0", "Jane Q. Public", "11mo", 4, 0, False),
    ("Jane Q. Public3y-2-5", "Jane Q. Public", "3y", -2, -5, False),
    ("-4Jane Q. Public45m", "Jane Q. Public", "45m", -4, None, False),
])
def test_header_variants(line, name, age, score, agreement, af):
    h = parse_header(line)
    assert h is not None
    assert (h.name, h.age, h.score, h.agreement, h.alignment_forum) == (name, age, score, agreement, af)


@pytest.mark.parametrize("line, name", [
    ("Søren Ødegaard7h", "Søren Ødegaard"),
    ("J. R. Castellanos9h", "J. R. Castellanos"),
    ("k8s_gardener1d4-2", "k8s_gardener"),
    ("Wei-Lin Chou5h", "Wei-Lin Chou"),
    ("Fergus O'Malley2y88 31", "Fergus O'Malley"),
    ("ellie.m6d", "ellie.m"),
    ("80000_Hours3h", "80000_Hours"),  # digits then "_": a name, not karma
    ("neuron423mo", "neuron42"),  # 23mo is no age, so the 2 stays in the name
    ("李明2d", "李明"),
])
def test_display_names_keep_spaces_dots_digits_hyphens_underscores_and_non_ascii(line, name):
    assert parse_header(line).name == name


@pytest.mark.parametrize("line", [
    "I waited 3h",  # a space before the age: a sentence
    "We trained it for 12h",
    "The sweep ended at 1.5h",
    "Agent 473h",  # a name whose last word is a number is taken for a sentence
    "Jane Q. Public 3h",
    "Thanks, this was useful.",
    "Edit 2h later: fixed the plot",
    "The H100 run took a while",
    "Jane -3h",
    "Jane60m",  # 60 minutes is shown as 1h
    "A very long line that happens to end in something like an age after many words3h",
    "one two three four five six seven3h",  # too many words for a display name
    "> Jane3h",
    "",
])
def test_sentences_and_other_lines_are_not_headers(line):
    assert parse_header(line) is None


@pytest.mark.parametrize("votes, expected", [
    ("33-1", (33, -1)), ("-3-1", (-3, -1)), ("33 1", (33, 1)),  # explicit splits
    ("4210", (42, 10)), ("110", (11, 0)), ("123", (12, 3)), ("100", (10, 0)),
    ("1000", (100, 0)), ("12", (1, 2)), ("-52", (-5, 2)), ("7", (7, None)),
])
def test_vote_digits_split_into_karma_and_agreement(votes, expected):
    assert split_votes(votes) == expected


def test_a_doubtful_vote_split_never_changes_the_author():
    for votes in ("1234", "9999", "1", "10", "-1-1", "0"):
        h = parse_header(f"Jane Q. Public2d{votes}")
        assert (h.name, h.age) == ("Jane Q. Public", "2d")


# --- the pasted front page -----------------------------------------------------------------
def test_front_page_authors_are_exactly_the_header_authors(front):
    assert {a.name for a in front.authors} == FRONTPAGE_HEADER_AUTHORS
    assert {a.id for a in front.authors} == {lw(n) for n in FRONTPAGE_HEADER_AUTHORS}


def test_the_expected_author_set_is_the_fixtures_header_lines():
    header_names = {h.name for h in map(parse_header, FRONTPAGE.splitlines()) if h}
    assert header_names == FRONTPAGE_HEADER_AUTHORS


def test_names_mentioned_in_bodies_are_never_authors(front):
    author_names = {a.name.casefold() for a in front.authors}
    for name in FRONTPAGE_MENTIONED_ONLY:
        assert name in FRONTPAGE  # the fixture does mention them
        assert name.casefold() not in author_names
    mentioned_ids = {lw(n) for n in FRONTPAGE_MENTIONED_ONLY}
    for item in front.items():
        assert item.author_id not in mentioned_ids


def test_front_page_posts_and_kinds(front):
    kinds = [(p.title, p.kind) for p in front.posts]
    assert kinds == [
        ("Sparse Autoencoders Give Us a Vocabulary, Not an Explanation", "excerpt"),
        ("Prompting Is Not Elicitation", "linkpost"),
        ("A Current Probe for Hobby Neuromorphic Boards, for Under $20", "excerpt"),
        ("", "excerpt"),  # an excerpt whose title and header were not copied
        ("", "quick_take"), ("", "quick_take"), ("", "quick_take"),
        # a listed quick take is one line: the next paragraph is another take whose header
        # was not copied (this used to be read as more of Kenji Watanabe's take)
        ("", "quick_take"),
        ("Dendrites Make Single Neurons Deep Networks, and That Matters for Brain-Inspired AI",
         "excerpt"),
        ("Søren Ødegaard's Shortform", "quick_take"),
        ("Why I Expect Deceptive Alignment to Be Rare in Practice", "excerpt"),
        ("What Fraction of Interpretability Findings Replicate?", "stub"),  # a popular
    ]                                                                     # comment's post
    probe = post_titled(front, "A Current Probe for Hobby Neuromorphic Boards, for Under $20")
    assert (names(front, [probe.author_id]), probe.score, probe.posted_at) == (
        ["J. R. Castellanos"], 12, "9h")


def test_coauthors_from_the_authors_line(front):
    post = post_titled(front, "Sparse Autoencoders Give Us a Vocabulary, Not an Explanation")
    assert names(front, [post.author_id]) == ["Mira Okonkwo-Hale"]
    assert names(front, post.coauthor_ids) == ["Tobias Lindqvist", "Wei-Lin Chou"]
    assert "Authors:" not in post.text
    assert post.text.startswith("TL;DR: Dictionary features")


def test_linkpost_detected(front):
    post = post_titled(front, "Prompting Is Not Elicitation")
    assert post.kind == "linkpost"
    assert post.link == "https://dana-whitfield.example.org/prompting-is-not-elicitation"
    assert "linkpost" not in post.text
    assert post.text.startswith("When a capability evaluation")


def test_quick_takes(front):
    takes = [p for p in front.posts if p.kind == "quick_take"]
    assert [p.author_id and names(front, [p.author_id])[0] for p in takes] == [
        "quantum_wombat", "Søren Ødegaard", "Kenji Watanabe", None, "Søren Ødegaard"]
    kenji, unattributed = takes[2], takes[3]
    assert kenji.posted_at == "1mo" and kenji.attribution == "header"
    assert unattributed.text.endswith("sampled every 5m")  # "every 5m" is text, not a header
    assert unattributed.attribution == "unknown"
    reply = next(c for c in front.comments if c.post_id == takes[4].id)
    assert names(front, [reply.author_id]) == ["Kenji Watanabe"]


def test_read_more_ends_an_item_and_is_cut_off(front):
    assert not any("(read more)" in item.text for item in front.items())
    dendrites = post_titled(
        front, "Dendrites Make Single Neurons Deep Networks, and That Matters for Brain-Inspired AI")
    assert dendrites.text.endswith("by an order of magnitude…")


def test_items_without_a_header_have_no_author(front):
    headerless_post = front.posts[3]
    assert headerless_post.author_id is None
    assert headerless_post.text.startswith("Most of what gets called AI forecasting")
    headerless_comment = next(c for c in front.comments if c.text.startswith("I'd frame it"))
    assert headerless_comment.author_id is None
    assert headerless_comment.score is None and headerless_comment.posted_at == ""
    deceptive = post_titled(front, "Why I Expect Deceptive Alignment to Be Rare in Practice")
    assert headerless_comment.post_id == deceptive.id


def test_comments_attach_to_the_nearest_preceding_post_with_unknown_nesting(front):
    assert front.comments and all(c.nesting == "unknown" for c in front.comments)
    assert all(c.parent_id == c.post_id for c in front.comments)
    by_post = {}
    for c in front.comments:
        by_post.setdefault(c.post_id, []).append(names(front, [c.author_id])[0]
                                                if c.author_id else None)
    dendrites = post_titled(
        front, "Dendrites Make Single Neurons Deep Networks, and That Matters for Brain-Inspired AI")
    deceptive = post_titled(front, "Why I Expect Deceptive Alignment to Be Rare in Practice")
    # Lukas Brenner's second paragraph ("Greta Lindholm's recordings ...") neither continues
    # his first nor is marked as his: on a listing page it is an item of its own, author
    # unknown (it used to be credited to him)
    assert by_post[dendrites.id] == ["Lukas Brenner", None, "Amara Nwosu", "Lukas Brenner"]
    assert by_post[deceptive.id] == ["Priya Raman", "k8s_gardener", "Tobias Lindqvist",
                                     "Wei-Lin Chou", None]
    # "Popular Comments" answer other posts: never the post above the heading
    assert by_post[None] == ["Fergus O'Malley"]
    replicate = post_titled(front, "What Fraction of Interpretability Findings Replicate?")
    assert (replicate.author_id, replicate.text) == (None, "")
    assert by_post[replicate.id] == ["Lukas Brenner"]


def test_comment_votes_from_the_fused_digits(front):
    votes = {names(front, [c.author_id])[0] + " " + c.posted_at: (c.score, c.agreement)
             for c in front.comments if c.author_id}
    assert votes["k8s_gardener 1d"] == (4, -2)
    assert votes["Tobias Lindqvist 12h"] == (42, 10)
    assert votes["Wei-Lin Chou 28m"] == (11, 0)
    assert votes["Fergus O'Malley 2y"] == (88, 31)


def test_header_lines_and_navigation_never_reach_the_text(front):
    for item in front.items():
        for line in item.text.splitlines():
            assert parse_header(line) is None
            assert line not in {"Login", "Load More", "Quick Takes", "Recent Discussion", "LW"}


def test_quotes_are_found_verbatim(front):
    comments = list(front.comments)
    for item in front.items():
        for q in item.quotes:
            assert item.text[q.start:q.end] == q.text
    found = [q.text for c in comments for q in c.quotes]
    assert found == [
        "It is not evidence that neurons do compute that much in vivo.",
        "> A compute estimate for the brain should count capacity",
        "the third condition fails in most training setups we actually run",
    ]


def test_tldr_and_epistemic_status_stay_in_the_text(front):
    deceptive = post_titled(front, "Why I Expect Deceptive Alignment to Be Rare in Practice")
    assert deceptive.text.startswith("Epistemic status: moderately confident")
    assert "\n\nThe standard story needs three things" in deceptive.text


def test_reparse_gives_identical_ids(front):
    again = parse(FRONTPAGE, source="pasted_frontpage.txt")
    assert [i.id for i in again.items()] == [i.id for i in front.items()]
    assert again == front
    ids = [i.id for i in front.items()]
    assert len(ids) == len(set(ids))


def test_ids_survive_items_added_around_them(front):
    extra = "Newer Post on Top\n9Nadia Petrov1m\nA post that appeared since the first paste.\n\n"
    shifted = parse(FRONTPAGE.replace("Latest Posts\n", "Latest Posts\n" + extra),
                    source="pasted_frontpage.txt")
    assert {i.id for i in front.items()} < {i.id for i in shifted.items()}


# --- the pasted post page ---------------------------------------------------------------
def test_post_page(page):
    (post,) = page.posts
    assert post.title == "Steering Vectors Fail Quietly Off-Distribution"
    assert names(page, [post.author_id]) == ["Nadia Petrov"]
    assert (post.score, post.posted_at, post.kind) == (48, "3d", "post")
    paragraphs = post.text.split("\n\n")
    assert paragraphs[0].startswith("Epistemic status: results from about 40 GPU-hours")
    assert paragraphs[1].startswith("TL;DR: Activation steering vectors")
    assert "Setup" in paragraphs and "What I think this means" in paragraphs
    assert "I waited 3h for the paraphrase sweep" in post.text
    assert "min read" not in post.text and "Comments" not in post.text


def test_post_page_comments(page):
    (post,) = page.posts
    assert names(page, [c.author_id for c in page.comments]) == [
        "Owen Mbeki", "Nadia Petrov", "Fergus O'Malley", "Lin_Yue", "Priya Raman", "Nadia Petrov"]
    assert all((c.post_id, c.parent_id, c.nesting) == (post.id, post.id, "unknown")
               for c in page.comments)
    assert not any("Reply" in c.text.splitlines() for c in page.comments)
    assert [(c.score, c.agreement) for c in page.comments] == [
        (19, 7), (11, 4), (8, -3), (5, 2), (7, 2), (3, 1)]
    assert {a.name for a in page.authors} == {
        "Nadia Petrov", "Owen Mbeki", "Fergus O'Malley", "Lin_Yue", "Priya Raman"}


def test_post_page_quotes(page):
    quotes = {names(page, [c.author_id])[0] + " " + c.posted_at: [q.text for q in c.quotes]
              for c in page.comments}
    assert quotes["Owen Mbeki 2d"] == [
        "the original vector had partly learned the surface form of the prompts."]
    assert quotes["Nadia Petrov 2d"] == ["> Did you try sweeping the layer on the paraphrased set?"]
    # "You say:" then the quote as the next paragraph, without its quotation marks
    assert quotes["Lin_Yue 14h"] == ["If steering is going to be part of a safety case, we need "
                                     "to evaluate it the way we evaluate classifiers"]
    for c in page.comments:
        for q in c.quotes:
            assert c.text[q.start:q.end] == q.text


# --- smaller pastes -------------------------------------------------------------------------
def test_a_header_starts_an_item_without_a_blank_line():
    t = parse("Why Probes Overfit\n31Ada Byron5h\nProbes find a direction anywhere.\n"
              "Bo Chen2h4 1\nNot in random networks.\nCy Diaz1h2 0\nYes in random networks.")
    assert [p.title for p in t.posts] == ["Why Probes Overfit"]
    assert [c.text for c in t.comments] == ["Not in random networks.", "Yes in random networks."]
    assert [a.name for a in t.authors] == ["Ada Byron", "Bo Chen", "Cy Diaz"]


def test_blank_lines_separate_paragraphs_of_one_item_on_a_post_page():
    t = parse("2 comments, sorted by top scoring\nBo Chen2h4 1\nFirst paragraph.\n\n"
              "Second paragraph.\nSame paragraph, next line.")
    (c,) = t.comments
    assert c.text == "First paragraph.\n\nSecond paragraph.\nSame paragraph, next line."
    assert c.attribution == "header"


def test_on_a_listing_page_an_unattributed_paragraph_is_its_own_item():
    t = parse("Recent Discussion\nBo Chen2h4 1\nFirst paragraph.\n\nI agree, but not here.")
    assert [(c.text, c.author_id, c.attribution) for c in t.comments] == [
        ("First paragraph.", author_id("Bo Chen", "lw"), "header"),
        ("I agree, but not here.", None, "unknown")]
    # ... unless it clearly continues the same text: a list announced by a colon
    t = parse("Recent Discussion\nBo Chen2h4 1\nTwo reasons:\n\n1. speed\n2. cost")
    (c,) = t.comments
    assert c.text == "Two reasons:\n\n1. speed\n2. cost" and c.attribution == "continued"


def test_a_sentence_ending_in_an_age_stays_text():
    t = parse("Bo Chen2h4 1\nThe sweep was slow.\nI waited 3h\nThen it crashed.")
    assert len(t.comments) == 1 and "I waited 3h" in t.comments[0].text
    assert [a.name for a in t.authors] == ["Bo Chen"]


def test_a_headed_item_with_no_post_before_it_is_a_comment_without_post():
    t = parse("Bo Chen2h4 1\nI disagree with the premise.")
    assert t.posts == () and t.comments[0].post_id is None and t.comments[0].nesting == "unknown"


def test_an_item_opening_with_epistemic_status_is_a_post():
    t = parse("Bo Chen2h\nEpistemic status: a guess.\n\nModels will plan.\n"
              "Cy Diaz1h2 0\nThey already do.")
    assert [p.text.split("\n")[0] for p in t.posts] == ["Epistemic status: a guess."]
    assert t.comments[0].post_id == t.posts[0].id


@pytest.mark.parametrize("heading", ["Comments", "2 comments, sorted by top scoring"])
def test_a_post_page_without_its_title_is_found_by_the_comments_heading(heading):
    t = parse(f"Ada Byron3d\nCurrent probes need a fast ADC.\n\n{heading}\n"
              "Bo Chen2d5 1\nOr a scope.\nCy Diaz1d1 0\nOr patience.")
    (post,) = t.posts
    assert names(t, [post.author_id]) == ["Ada Byron"]
    assert [c.post_id for c in t.comments] == [post.id, post.id]


def test_authors_line_without_a_header_names_the_starred_author_first():
    t = parse("Toy Models of Grid Storage\nAuthors: Bo Chen, Ada Byron*, Cy Diaz\n"
              "Batteries fade faster when cycled deep.")
    (post,) = t.posts
    assert names(t, [post.author_id]) == ["Ada Byron"]
    assert names(t, post.coauthor_ids) == ["Bo Chen", "Cy Diaz"]
    assert post.kind == "post" and post.text == "Batteries fade faster when cycled deep."


def test_site_is_read_from_the_page_navigation():
    t = parse("EA Forum\n\nBo Chen2h4 1\nGive to the more effective charity.")
    assert t.authors[0].id == author_id("Bo Chen", "ea")
    t = parse_forum_text("Bo Chen2h4 1\nText.", site="af")
    assert t.authors[0].id == author_id("Bo Chen", "af")


@pytest.mark.parametrize("text, quote", [
    ('You write: “interpretability is doomed” and I disagree.', "interpretability is doomed"),
    ("You wrote: scaling is all you need. That is too strong.", "scaling is all you need."),
    ('You said "…the model has no goals…", which assumes a lot.', "…the model has no goals…"),
    ("> Models will plan.\n> They already do.\n\nNo.", "> Models will plan.\n> They already do."),
])
def test_quote_forms(text, quote):
    (q,) = find_quotes(text)
    assert q.text == quote and text[q.start:q.end] == quote


def test_a_paraphrase_is_not_a_quote():
    assert find_quotes("You said that models will plan, but I doubt it.") == ()


# --- sniffing and the registry ---------------------------------------------------------------
@pytest.mark.parametrize("text", [FRONTPAGE, POSTPAGE, "Jane Q. Public3h\nI think this is wrong."])
def test_sniff_accepts_pasted_pages(text):
    assert sniff(text)


@pytest.mark.parametrize("text", [
    '{"data": {"post": {"result": {"_id": "a", "title": "Jane3h"}}}}',
    '{"id": "1", "author": "Jane", "text": "Jane3h"}\n{"id": "2", "text": "x"}\n',
    "[1, 2, 3]",
    "# Notes on probes\n\nLinear probes find a direction.\n\n> You said X.\n\nI waited 3h\nfor it.",
    "Some notes\n\nResults2d\n\nMore notes.",  # a header-like line alone between blank lines
    "<!DOCTYPE html><html><body><p>Jane3h</p></body></html>",
    "",
])
def test_sniff_rejects_other_formats(text):
    assert not sniff(text)


def test_the_registry_picks_this_loader_for_a_pasted_page():
    assert loaders.sniff(FRONTPAGE) == "forum-text"
    assert loaders.parse(POSTPAGE, source="p.txt") == parse(POSTPAGE, source="p.txt")


def test_module_docstring_first_line_describes_the_loader():
    assert loaders.loaders()["forum-text"].description.startswith("Pasted forum pages")


# --- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, reason", [
    ("", "empty input"),
    ("  \n\n\t\n", "empty input"),
    ("<!DOCTYPE html>\n<html><body>Jane3h</body></html>", "looks like HTML"),
    ("<html lang='en'><head></head></html>", "looks like HTML"),
    ('{"data": {"comments": {"results": []}}}', "looks like JSON"),
    ('{"id": 1}\n{"id": 2}\n', "looks like JSON"),
    ("Jane3h\x00\x01\x02", "binary data"),
    ("LESSWRONG\nLogin\nHome\n\nLoad More\n", "only page navigation"),
])
def test_malformed_input(text, reason):
    with pytest.raises(MalformedInput) as err:
        parse(text, source="paste.txt")
    assert reason in str(err.value) and str(err.value).startswith("paste.txt")
    assert "\n" not in str(err.value)


def test_windows_line_endings_and_non_breaking_spaces_parse_the_same(front):
    windows = FRONTPAGE.replace("\n", "\r\n").replace("Priya Raman2d", "Priya\u00a0Raman2d")
    assert parse(windows, source="pasted_frontpage.txt") == front


def test_a_bare_comment_count_in_a_listing_is_not_a_comments_section():
    t = parse("Latest Posts\n\nFirst Title\n12Ada Byron3h\nAn excerpt.\n3 comments\n\n"
              "Second Title\n7Bo Chen5h\nAnother excerpt.")
    assert [(p.title, p.text) for p in t.posts] == [("First Title", "An excerpt."),
                                                    ("Second Title", "Another excerpt.")]
    assert t.comments == ()


def test_a_comments_first_line_is_never_taken_for_the_next_posts_title():
    t = parse("Recent Discussion\nWhy Probes Overfit\n5Ada Byron3h\nAn excerpt.\n"
              "Bo Chen2h3 1\nStrong agree\n8Cy Diaz1d\nAnother excerpt.")
    assert [c.text for c in t.comments] == ["Strong agree", "Another excerpt."]
    # karma before the name is a single-line comment too: without a title above it,
    # "8Cy Diaz1d" is Cy Diaz's comment, not a post (it used to be read as a post)
    assert [p.title for p in t.posts] == ["Why Probes Overfit"]


def test_quick_takes_have_no_titles_even_without_blank_lines():
    t = parse("Quick Takes\nAda Byron3h\nSteering works better than I expected\n"
              "Bo Chen2h\nProbes too")
    assert [(p.kind, p.title, p.text) for p in t.posts] == [
        ("quick_take", "", "Steering works better than I expected"),
        ("quick_take", "", "Probes too")]


def test_you_write_then_the_quote_on_the_next_line():
    text = "You write:\nsteering is brittle\nI think it is robust."
    (q,) = find_quotes(text)
    assert q.text == "steering is brittle" and text[q.start:q.end] == q.text
    assert find_quotes("You write:") == ()
