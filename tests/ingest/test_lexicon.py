from kennisbank.core.settings import CORPUS_DIR
from kennisbank.ingest.lexicon import lexicon_for
from kennisbank.search.compounds import LEXICON_PATH


def test_shipped_lexicon_is_up_to_date_with_the_corpus():
    """Fails when corpus/ or the thesaurus changed without `python -m kennisbank.ingest.lexicon`."""
    assert LEXICON_PATH.read_text(encoding="utf-8").split() == lexicon_for([CORPUS_DIR])
