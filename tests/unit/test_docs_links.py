# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""README.md and docs/: every link stays inside the repository and leads to a file that is there.

A reader of the collection (from Galaxy, a tarball or a clone) has this repository and nothing beside
it, so the README and docs may link only into it: no relative link or path that climbs out of the
checkout (``../shared/...``), no absolute file path, no workspace path. Every relative link (Markdown
inline, reference and image links, HTML href/src) must name a file or folder that exists, and an anchor
(``#section``) a heading of the file it points into, as GitHub names headings.
"""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# [text](target "title") and ![alt](target), the text possibly over several lines.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
EXTERNAL = re.compile(r"^(?:https?:|mailto:)", re.I)
# Paths into the workspace this repository grew in, which a reader does not have.
WORKSPACE = re.compile(r"(?:^|[\s`(\"'])(?:\.\./)*shared/|/work/")
CLIMB = re.compile(r"(?:^|[\s`(\"'=])((?:\.\./)+[^\s`)\"']*)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def documents():
    out = [os.path.join(ROOT, "README.md")]
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "docs")):
        out.extend(os.path.join(folder, name) for name in files if name.endswith(".md"))
    return sorted(out)


def _rel(path):
    return os.path.relpath(path, ROOT)


def _text(path):
    with open(path, encoding="utf-8") as src:
        return src.read()


def links(text):
    """Every link target of a Markdown text, code blocks and code spans left out."""
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    return [m.group(1) for pattern in (INLINE, REFERENCE, HTML) for m in pattern.finditer(prose)]


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text, flags=re.UNICODE)
    return text.replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", _text(path)), re.M):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else "%s-%d" % (base, count))
    return out


def inside(path, root=ROOT):
    return os.path.commonpath([os.path.realpath(root), os.path.realpath(path)]) == os.path.realpath(root)


def link_faults(path, root=ROOT):
    """What is wrong with the links of the Markdown file PATH in the repository ROOT."""
    faults = []
    for target in links(_text(path)):
        if EXTERNAL.match(target):
            continue
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "~")):
            faults.append("%s: not a relative link into the repository" % target)
            continue
        file_part, _hash, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        if not inside(resolved, root):
            faults.append("%s: leads outside the repository" % target)
        elif not os.path.exists(resolved):
            faults.append("%s: no such file in the repository" % target)
        elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
            faults.append(
                "%s: %s has no heading with that anchor" % (target, os.path.relpath(resolved, root))
            )
    return faults


def path_faults(path, root=ROOT):
    """Paths in PATH's prose and code that leave ROOT: ``../`` climbing out, or the workspace's shared/."""
    text = _text(path)
    faults = ["%r: the workspace, not this repository" % m.group(0).strip() for m in WORKSPACE.finditer(text)]
    for match in CLIMB.finditer(text):
        if not inside(os.path.join(os.path.dirname(path), match.group(1)), root):
            faults.append("%r: climbs out of the repository" % match.group(1))
    return faults


DOCUMENTS = documents()


def test_there_are_documents_with_links():
    assert os.path.join(ROOT, "docs", "design.md") in DOCUMENTS
    assert any(links(_text(path)) for path in DOCUMENTS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=_rel)
def test_relative_links_lead_to_files_inside_the_repository(path):
    faults = link_faults(path)
    assert not faults, "%s:\n  %s" % (_rel(path), "\n  ".join(faults))


@pytest.mark.parametrize("path", DOCUMENTS, ids=_rel)
def test_no_path_leads_outside_the_repository(path):
    faults = path_faults(path)
    assert not faults, "%s:\n  %s" % (_rel(path), "\n  ".join(faults))


@pytest.mark.parametrize(
    "text, fault",
    [
        ("see [the notes](../shared/design/ARCHITECTURE.md)", "outside"),
        ("see [the\nnotes](../../x.md)", "outside"),
        ("see [a file](docs/absent.md)", "no such file"),
        ("see [a heading](#no-such-heading)", "no heading"),
        ("[n]: /etc/passwd", "not a relative link"),
        ("<a href='file:///etc/passwd'>x</a>", "not a relative link"),
    ],
)
def test_the_link_check_catches_bad_links(tmp_path, text, fault):
    """A README written for it, in a repository of its own (tmp_path/repo)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# Title\n\n" + text + "\n", encoding="utf-8")
    faults = link_faults(str(repo / "README.md"), str(repo))
    assert len(faults) == 1 and fault in faults[0], faults


def test_the_link_check_passes_good_links(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "a.md").write_text(
        "# A `b` (c)\n\nback to [the top](../README.md#title)\n", encoding="utf-8"
    )
    (repo / "README.md").write_text(
        "# Title\n\n[a](docs/a.md#a-b-c), [here](#title), [web](https://example.org/x)\n", encoding="utf-8"
    )
    assert link_faults(str(repo / "README.md"), str(repo)) == []
    assert link_faults(str(repo / "docs" / "a.md"), str(repo)) == []


@pytest.mark.parametrize(
    "text", ["clone next to `../shared/design/`", "in /work/shared/design", "see ../../elsewhere/notes.md"]
)
def test_the_path_check_catches_paths_out(tmp_path, text):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# Title\n\n" + text + "\n", encoding="utf-8")
    assert path_faults(str(repo / "README.md"), str(repo))
