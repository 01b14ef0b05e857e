"""CollectionOp: the write runs on the database thread, the GUI is not blocked by a nested loop, and what it
changed is announced once; a user error goes to the failure handler."""

import pytest

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.gui.operations import CollectionOp, QueryOp
from kaigo_desktop.services.changes import Changes


def test_collection_op_announces_changes_then_calls_success(qtbot, gui_context):
    announced, results = [], []
    gui_context.changes_did_happen.connect(announced.append)
    CollectionOp(None, gui_context, lambda db, _job: 41 + 1,
                 changes=lambda result: Changes.of("places", [str(result)])) \
        .success(results.append).run_in_background()
    assert results == []  # returns at once: the job runs on the database thread
    qtbot.waitUntil(lambda: results == [42])
    assert len(announced) == 1 and announced[0].touches("places") and announced[0].ids_of("places") == {"42"}
    assert not announced[0].touches("gatherings")


def test_failure_goes_to_the_handler_and_nothing_is_announced(qtbot, gui_context):
    announced, failures = [], []
    gui_context.changes_did_happen.connect(announced.append)

    def refuse(_db, _job):
        raise UserFacingError("入力に誤りがあります。", kind="invalid", field="name")

    CollectionOp(None, gui_context, refuse, changes=Changes.of("places")).failure(failures.append) \
        .run_in_background()
    qtbot.waitUntil(lambda: failures != [])
    assert failures[0].field == "name" and failures[0].kind == "invalid" and announced == []


def test_query_op_reads_without_announcing(qtbot, gui_context):
    announced, results = [], []
    gui_context.changes_did_happen.connect(announced.append)
    QueryOp(None, gui_context, lambda db, _job: len(db.query("select 7"))) \
        .success(results.append).run_in_background()
    qtbot.waitUntil(lambda: results == [1])
    assert announced == []


def test_everything_touches_every_kind():
    assert Changes.everything().touches("anything") and not Changes().touches("places")
    merged = Changes.of("places", ["a"]) | Changes.of("places", ["b"]) | Changes.of("gatherings")
    assert merged.ids_of("places") == {"a", "b"} and merged.touches("gatherings")


def test_widgets_are_disabled_while_running_and_given_back_after_the_last_operation(qtbot, gui_context):
    import threading

    from PySide6.QtWidgets import QPushButton

    button, off = QPushButton("保存"), QPushButton("削除")
    off.setEnabled(False)  # disabled before: stays disabled after
    release = threading.Event()
    first = CollectionOp(None, gui_context, lambda db, _job: release.wait(10), changes=Changes()) \
        .disabling(button, off)
    second = CollectionOp(None, gui_context, lambda db, _job: None, changes=Changes()).disabling(button)
    done = []
    first.success(done.append).run_in_background()
    second.success(done.append).run_in_background()
    assert not button.isEnabled() and not off.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: len(done) == 2)
    assert button.isEnabled() and not off.isEnabled()


def test_a_failed_operation_gives_the_widgets_back_too(qtbot, gui_context):
    from PySide6.QtWidgets import QPushButton

    button = QPushButton("保存")
    failures = []

    def refuse(_db, _job):
        raise UserFacingError("保存できません。")

    CollectionOp(None, gui_context, refuse, changes=Changes.of("places")).disabling(button) \
        .failure(failures.append).run_in_background()
    assert not button.isEnabled()
    qtbot.waitUntil(lambda: failures != [])
    assert button.isEnabled()


def test_a_long_operation_shows_a_busy_dialog_until_it_ends(qtbot, gui_context):
    import threading

    from PySide6.QtWidgets import QProgressDialog, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release, done = threading.Event(), []
    CollectionOp(parent, gui_context, lambda db, _job: release.wait(10), changes=Changes()) \
        .showing_progress("統合しています…").success(done.append).run_in_background()

    def busy() -> list[QProgressDialog]:
        return [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]

    try:
        qtbot.waitUntil(lambda: bool(busy()), timeout=5_000)  # after a moment, not at once
        assert busy()[0].labelText() == "統合しています…"
    finally:
        release.set()
    qtbot.waitUntil(lambda: done != [])
    assert busy() == []


def test_a_result_for_a_closed_dialog_is_dropped_but_the_change_is_announced(qtbot, gui_context):
    import threading

    from PySide6.QtWidgets import QDialog

    dialog = QDialog()
    release, announced, results = threading.Event(), [], []
    gui_context.changes_did_happen.connect(announced.append)
    CollectionOp(dialog, gui_context, lambda db, _job: release.wait(10), changes=Changes.of("trust")) \
        .success(lambda _r: results.append(dialog.windowTitle())).run_in_background()
    QueryOp(dialog, gui_context, lambda db, _job: 1).success(lambda _r: results.append(dialog.windowTitle())) \
        .run_in_background()
    dialog.deleteLater()  # closed by the user while the operation was still running
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(dialog))
    release.set()
    qtbot.waitUntil(lambda: announced != [])
    qtbot.wait(50)
    assert results == [] and announced[0].touches("trust")


def test_a_screens_read_failure_is_said_on_its_label_and_a_bug_goes_on_up(qtbot):
    from PySide6.QtWidgets import QLabel

    from kaigo_desktop.gui.operations import read_failure_on
    from kaigo_desktop.storage.errors import StorageError

    label = QLabel()
    qtbot.addWidget(label)
    failed = read_failure_on(label)
    failed(StorageError("データベースファイルが読み取り専用です"))
    assert label.text() == "読み込めませんでした：データベースファイルが読み取り専用です"
    with pytest.raises(KeyError):  # not the user's: the application's exception hook shows it as a bug
        failed(KeyError("place_id"))
    assert label.text() == "読み込めませんでした：データベースファイルが読み取り専用です"
