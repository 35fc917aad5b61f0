from pathlib import Path

import pytest

from kennisbank.errors import ConfigError
from kennisbank.settings import Settings


class TestSettings:
    def test_defaults(self):
        s = Settings.load(environ={})
        assert s.data_dir == Path("data")
        assert s.embedding_model == "multilingual-e5-small"
        assert s.qdrant_url == ""
        assert s.index_dir == Path("data/index")

    def test_environment_and_overrides(self):
        s = Settings.load({"chunk_max_chars": 500}, environ={"KENNISBANK_DATA": "/tmp/x", "KENNISBANK_RRF_K": "10"})
        assert s.data_dir == Path("/tmp/x") and s.rrf_k == 10 and s.chunk_max_chars == 500

    def test_override_beats_environment(self):
        s = Settings.load({"data_dir": "/a"}, environ={"KENNISBANK_DATA_DIR": "/b"})
        assert s.data_dir == Path("/a")

    def test_unknown_variable_is_refused_with_the_valid_ones(self):
        with pytest.raises(ConfigError, match="KENNISBANK_EMBEDING_MODEL.*KENNISBANK_EMBEDDING_MODEL"):
            Settings.load(environ={"KENNISBANK_EMBEDING_MODEL": "x"})

    def test_unknown_override_is_refused(self):
        with pytest.raises(ConfigError, match="Unknown setting"):
            Settings.load({"colour": "blue"}, environ={})

    def test_bad_integer(self):
        with pytest.raises(ConfigError, match="rrf_k must be int"):
            Settings.load(environ={"KENNISBANK_RRF_K": "many"})

    def test_every_setting_is_documented(self):
        described = Settings.describe()
        assert len(described) == len(Settings.__dataclass_fields__)
        assert all(len(help_text) > 15 for _, help_text, _ in described)
