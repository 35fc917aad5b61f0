from pathlib import Path

import pytest

from kennisbank.core.errors import ConfigError
from kennisbank.core.settings import SECTIONS, Settings


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
        assert all(len(help_text) > 15 for _, _, help_text, _ in described)

    def test_settings_are_listed_by_section_with_the_tuned_values(self):
        sections = [section for section, *_ in Settings.describe()]
        assert sections == sorted(sections, key=SECTIONS.index)  # grouped, in the order of SECTIONS
        names = {name for _, name, _, _ in Settings.describe()}
        for tuned in ("RRF_K", "VALUE_THRESHOLD", "ANSWER_DENSE_STRONG", "ANSWER_BM25_MIN", "EMBED_BATCH_SIZE",
                      "WRITE_BATCH"):
            assert "KENNISBANK_" + tuned in names

    def test_a_float_setting_from_the_environment(self):
        assert Settings.load(environ={"KENNISBANK_VALUE_THRESHOLD": "0.7"}).value_threshold == 0.7
        with pytest.raises(ConfigError, match="value_threshold must be float"):
            Settings.load(environ={"KENNISBANK_VALUE_THRESHOLD": "hoog"})


class TestModelCalibration:
    """Settings that compare cosines are measured per dense model (core.settings.MODEL_CALIBRATION)."""

    def test_the_defaults_are_those_of_the_default_model(self):
        s = Settings.load(environ={})
        assert (s.embedding_model, s.value_threshold, s.answer_dense_strong, s.answer_dense_min) == (
            "multilingual-e5-small", 0.925, 0.85, 0.82)

    def test_another_model_brings_its_own(self):
        s = Settings.load(environ={"KENNISBANK_EMBEDDING_MODEL": "use-multilingual-v3"})
        assert (s.value_threshold, s.answer_dense_strong, s.answer_dense_min) == (0.65, 0.30, 0.18)

    def test_an_explicit_setting_wins(self):
        s = Settings.load({"embedding_model": "use-multilingual-v3"}, environ={"KENNISBANK_VALUE_THRESHOLD": "0.5"})
        assert s.value_threshold == 0.5 and s.answer_dense_min == 0.18
