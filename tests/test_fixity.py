import os

from tests.media import make_jpeg, make_wav


def test_fixity_reports_flipped_byte_and_missing_file(tmp_path, heritage, archive):
    make_jpeg(tmp_path / "in" / "a.jpg", seed=1)
    make_wav(tmp_path / "in" / "b.wav")
    assert heritage("ingest", "--quiet", tmp_path / "in").exit_code == 0
    ok = heritage("fixity", "--quiet")
    assert ok.exit_code == 0 and "2 originals checked, 0 problems" in ok.output

    shas = sorted(archive.store.iter_originals())
    victim = archive.store.original_path(shas[0])
    os.chmod(victim, 0o644)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    archive.store.original_path(shas[1]).unlink()

    bad = heritage("fixity", "--quiet")
    assert bad.exit_code == 1
    assert f"MISMATCH {shas[0]}" in bad.output and "now hashes to" in bad.output
    assert f"MISSING {shas[1]}" in bad.output
    assert "2 problems" in bad.output


def test_originals_are_read_only(tmp_path, heritage, archive):
    make_jpeg(tmp_path / "in" / "a.jpg", seed=3)
    heritage("ingest", "--quiet", tmp_path / "in")
    (sha,) = archive.store.iter_originals()
    assert archive.store.original_path(sha).stat().st_mode & 0o222 == 0
