"""The words the app shows on many screens, each spelled one way: the kinds of record, the trash, the verbs on
buttons, how a required field and a key are marked. Screens, services' messages and storage's record labels
take them from here, and tests/gui/test_words.py fails when a screen or a source file spells one of them
another way. Plain strings, no Qt: services and storage use them too."""

from __future__ import annotations

# ---- kinds of record (as the navigation, messages and the exchange name them) ---------------------------

CENTER = "地域包括支援センター"
PLACE = "通いの場"
PROMOTER = "推進員"
ASSIGNMENT = "担当"
GATHERING = "開催記録"
ACTIVITY = "活動記録"

# By table name (storage/rows.py).
KIND_NAMES: dict[str, str] = {
    "centers": CENTER,
    "places": PLACE,
    "promoters": PROMOTER,
    "assignments": ASSIGNMENT,
    "gatherings": GATHERING,
    "members": "参加者実人数",
    "population": "65歳以上人口",
    "activities": ACTIVITY,
    "expenses": "経費",
    # personal data (issue 19): only in encrypted exchange bundles
    "participants": "参加者",
    "participant_places": "参加者の通いの場",
    "frailty_checks": "基本チェックリスト",
    "questionnaires": "後期高齢者の質問票",
    "gathering_participants": "開催記録の参加者",
    "short_term_cases": "短期集中予防サービスの記録",
}

# ---- the trash: deleting moves a record there; 「元に戻す」 brings it back ---------------------------------

TRASH = "ごみ箱"
# Removing a record moves it to the trash: one verb for the button, the question and the message (not 「削除」,
# which here means only what cannot be undone: emptying the trash, a login user).
MOVE_TO_TRASH = f"{TRASH}へ移す"
SHOW_TRASH = "ごみ箱を表示"  # the check box that lists the trash instead of the live records
DELETED_MARK = "（削除済み）"  # after the name of a record that is in the trash
CAN_RESTORE = f"「{SHOW_TRASH}」から、いつでも元に戻せます。"


def marked_deleted(name: str, deleted: bool) -> str:
    """The name, with 「（削除済み）」 after it when the record is in the trash."""
    return name + DELETED_MARK if deleted else name


def in_trash_note(kind: str) -> str:
    """On the form of a record in the trash: why it cannot be edited, and how to change that."""
    return f"この{kind}は{TRASH}にあります。編集するには「{RESTORE}」を押してください。"


def trash_question(what: str) -> str:
    """The confirmation, naming what it acts on: 「令和8年11月5日の南池袋いきいき体操の会の記録をごみ箱へ移しますか？」."""
    return f"{what}を{TRASH}へ移しますか？\n\n{CAN_RESTORE}"


def moved_to_trash(what: str) -> str:
    return f"{what}を{TRASH}へ移しました。"


def gathering_label(held_on: str, place_name: str) -> str:
    """One gathering as a question names it: 「令和8年11月5日の南池袋いきいき体操の会の記録」 (held_on in 和暦)."""
    return f"{held_on}の{place_name}の記録"


def activity_label(done_on: str, promoter_name: str, kind: str) -> str:
    """「令和8年11月5日の山田花子さんの活動記録（見守り）」."""
    return f"{done_on}の{promoter_name}さんの{ACTIVITY}（{kind}）"


def not_found(what: str) -> str:
    """A record a field or row refers to is not among the live ones: 「推進員が見つかりません（削除済みの…）。」"""
    return f"{what}が見つかりません（削除済みの可能性があります）。"


def counted(count_text: str, *, in_trash: bool) -> str:
    """A list's count (「12件」), said to be of the trash while the trash is shown."""
    return f"{TRASH}：{count_text}" if in_trash else count_text


# ---- verbs on buttons ------------------------------------------------------------------------------------

SAVE = "保存"  # also for a first entry (not 「登録」)
NEW = "新規"
DELETE = MOVE_TO_TRASH  # the button that removes a record
RESTORE = "元に戻す"  # out of the trash
REVERT = "変更を取り消す"  # drop the edits not yet saved
CANCEL = "キャンセル"
CLOSE = "閉じる"


def with_key(verb: str, key: str) -> str:
    """A button's verb with its keyboard shortcut: 「保存（Ctrl+S）」."""
    return f"{verb}（{key}）"


# ---- empty choices and waiting ---------------------------------------------------------------------------

RECORDER = "記録者名"  # the person's name, written into records as 更新者 (not お名前, 担当者名)
UPDATED_BY = "更新者"

NONE = "（なし）"  # an optional reference left empty: no center, no promoter
NOT_CHOSEN = "（未選択）"  # an optional choice not made
CHOOSE = "（選択してください）"  # a required choice not made yet
LOADING = "読み込み中…"

# ---- form labels -----------------------------------------------------------------------------------------


def required(label: str) -> str:
    """The label of a field that must be filled: 「氏名（必須）」."""
    return f"{label}（必須）"
