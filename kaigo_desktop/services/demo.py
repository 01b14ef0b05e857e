"""Realistic demo data (municipalities, centers, 通いの場, promoters, gatherings …) made through the services,
validated like user input, in one transaction; deterministic for a seed and a `today`."""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import fiscal_year_of, fiscal_year_range, month_range
from kaigo_desktop.domain.records import (
    Activity,
    Assignment,
    Center,
    Expense,
    Gathering,
    Members,
    Municipality,
    Place,
    Population,
    Promoter,
)
from kaigo_desktop.domain.rules import open_months_in_fiscal_year
from kaigo_desktop.domain.vocab import PROGRAM_CODES
from kaigo_desktop.services import bulk, records, rights
from kaigo_desktop.services.demo_mark import is_demo_database, mark_as_demo
from kaigo_desktop.services.demo_cases import add_demo_cases
from kaigo_desktop.services.demo_participants import add_demo_participants
from kaigo_desktop.storage import check_queries, lookups, roster_queries
from kaigo_desktop.storage.aggregates import Scope
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.ids import new_id

Progress = Callable[[str, int, int], None]

# ---------------------------------------------------------------- word lists

# Town-like area names (name, katakana); used for centers, place names and addresses.
AREAS: tuple[tuple[str, str], ...] = (
    ("本町", "ホンチョウ"), ("栄町", "サカエチョウ"), ("若葉", "ワカバ"), ("桜台", "サクラダイ"),
    ("緑町", "ミドリチョウ"), ("旭町", "アサヒチョウ"), ("富士見", "フジミ"), ("宮前", "ミヤマエ"),
    ("平和台", "ヘイワダイ"), ("東町", "ヒガシチョウ"), ("西町", "ニシチョウ"), ("南町", "ミナミチョウ"),
    ("北町", "キタマチ"), ("中町", "ナカチョウ"), ("新町", "シンマチ"), ("幸町", "サイワイチョウ"),
    ("寿町", "コトブキチョウ"), ("松が丘", "マツガオカ"), ("梅が丘", "ウメガオカ"), ("桜丘", "サクラガオカ"),
    ("弥生町", "ヤヨイチョウ"), ("日の出", "ヒノデ"), ("青葉台", "アオバダイ"), ("緑が丘", "ミドリガオカ"),
    ("泉町", "イズミチョウ"), ("柳町", "ヤナギチョウ"), ("錦町", "ニシキチョウ"), ("大和町", "ヤマトチョウ"),
    ("高砂", "タカサゴ"), ("稲荷町", "イナリチョウ"), ("八幡町", "ハチマンチョウ"), ("天神町", "テンジンチョウ"),
    ("宮下", "ミヤシタ"), ("元町", "モトマチ"), ("住吉町", "スミヨシチョウ"), ("春日町", "カスガチョウ"),
    ("白山", "ハクサン"), ("城山", "シロヤマ"), ("森下", "モリシタ"), ("清水", "シミズ"), ("浜町", "ハマチョウ"),
    ("並木", "ナミキ"), ("若松町", "ワカマツチョウ"), ("千歳", "チトセ"), ("朝日が丘", "アサヒガオカ"),
    ("つつじが丘", "ツツジガオカ"), ("ひばりが丘", "ヒバリガオカ"), ("けやき台", "ケヤキダイ"),
    ("光が丘", "ヒカリガオカ"), ("美園", "ミソノ"), ("双葉", "フタバ"), ("小山", "コヤマ"), ("大原", "オオハラ"),
    ("中原", "ナカハラ"), ("谷戸", "ヤト"), ("上原", "ウエハラ"), ("本宿", "ホンジュク"), ("関町", "セキマチ"),
)

# 丁目 added to an area name where a municipality has many places.
CHOME = {1: ("一丁目", "イッチョウメ"), 2: ("二丁目", "ニチョウメ"), 3: ("三丁目", "サンチョウメ"),
         4: ("四丁目", "ヨンチョウメ"), 5: ("五丁目", "ゴチョウメ")}

# Friendly words groups name themselves after (name, katakana).
WORDS: tuple[tuple[str, str], ...] = (
    ("さくら", "サクラ"), ("ひまわり", "ヒマワリ"), ("すみれ", "スミレ"), ("たんぽぽ", "タンポポ"),
    ("コスモス", "コスモス"), ("あじさい", "アジサイ"), ("つばき", "ツバキ"), ("けやき", "ケヤキ"),
    ("いちょう", "イチョウ"), ("ふじ", "フジ"), ("なでしこ", "ナデシコ"), ("さつき", "サツキ"),
    ("もみじ", "モミジ"), ("わかば", "ワカバ"), ("あおば", "アオバ"), ("なごみ", "ナゴミ"),
    ("ほほえみ", "ホホエミ"), ("げんき", "ゲンキ"), ("にこにこ", "ニコニコ"), ("はつらつ", "ハツラツ"),
    ("のびのび", "ノビノビ"), ("すこやか", "スコヤカ"), ("ゆうゆう", "ユウユウ"), ("やまびこ", "ヤマビコ"),
    ("せせらぎ", "セセラギ"), ("かがやき", "カガヤキ"), ("こもれび", "コモレビ"), ("ひだまり", "ヒダマリ"),
)

# Place-name templates by main activity: (name, kana, extra programs, venue kind it implies or None).
# {a}/{A} = area name/kana, {w}/{W} = word/kana.
TEMPLATES: dict[str, tuple[tuple[str, str, tuple[str, ...], str | None], ...]] = {
    "体操（運動）": (
        ("{w}体操の会", "{W}タイソウノカイ", (), None),
        ("{a}町会 百歳体操", "{A}チョウカイ ヒャクサイタイソウ", (), None),
        ("{a}いきいき百歳体操", "{A}イキイキヒャクサイタイソウ", (), None),
        ("{a}元気アップ体操", "{A}ゲンキアップタイソウ", (), None),
        ("{w}ストレッチクラブ", "{W}ストレッチクラブ", (), None),
        ("{a}ラジオ体操の会", "{A}ラジオタイソウノカイ", (), "公園"),
        ("{a}ウォーキングの会", "{A}ウォーキングノカイ", (), "公園"),
        ("{a}かみかみ百歳体操", "{A}カミカミヒャクサイタイソウ", ("oral",), None),
        ("{w}健康体操教室", "{W}ケンコウタイソウキョウシツ", (), None),
        ("{a}シルバー体操クラブ", "{A}シルバータイソウクラブ", (), None),
    ),
    "趣味活動": (
        ("{a}手芸サークル", "{A}シュゲイサークル", (), None),
        ("{w}カラオケの会", "{W}カラオケノカイ", (), None),
        ("{a}囲碁・将棋クラブ", "{A}イゴショウギクラブ", ("cognition",), None),
        ("{w}健康麻雀の会", "{W}ケンコウマージャンノカイ", ("cognition",), None),
        ("{a}書道サークル", "{A}ショドウサークル", (), None),
        ("{w}俳句の会", "{W}ハイクノカイ", (), None),
        ("{a}園芸クラブ", "{A}エンゲイクラブ", (), None),
    ),
    "茶話会": (
        ("いきいきサロン{a}", "イキイキサロン{A}", (), None),
        ("{a}ふれあいサロン", "{A}フレアイサロン", (), None),
        ("{w}お茶のみサロン", "{W}オチャノミサロン", (), None),
        ("{a}おしゃべりカフェ", "{A}オシャベリカフェ", (), None),
        ("{w}サロン", "{W}サロン", (), None),
    ),
    "会食": (
        ("{a}ふれあい会食会", "{A}フレアイカイショクカイ", (), None),
        ("{w}ランチの会", "{W}ランチノカイ", ("social",), None),
    ),
    "認知症予防": (
        ("{a}脳トレ教室", "{A}ノウトレキョウシツ", (), None),
        ("{a}コグニサイズの会", "{A}コグニサイズノカイ", ("motor",), None),
        ("{w}脳いきいき教室", "{W}ノウイキイキキョウシツ", (), None),
    ),
    "農作業": (("{a}ふれあい農園クラブ", "{A}フレアイノウエンクラブ", (), "農園"),),
    "生涯学習": (
        ("{a}シニア学びの会", "{A}シニアマナビノカイ", (), None),
        ("{a}スマホ教室", "{A}スマホキョウシツ", ("cognition",), None),
    ),
    "ボランティア活動": (
        ("{a}見守りボランティアの会", "{A}ミマモリボランティアノカイ", (), None),
        ("{w}花壇ボランティア", "{W}カダンボランティア", (), None),
    ),
    "就労的活動": (("{a}シニアものづくり工房", "{A}シニアモノヅクリコウボウ", (), None),),
    "多世代交流": (
        ("{a}みんなの食堂", "{A}ミンナノショクドウ", ("nutrition",), None),
        ("{a}多世代交流サロン", "{A}タセダイコウリュウサロン", (), None),
    ),
    "その他": (("{a}交流の会", "{A}コウリュウノカイ", (), None),),
}

# National shares (domain.md, 令和4年度) or plausible guesses where the survey gives none.
MAIN_ACTIVITY_SHARES: dict[str, float] = {
    "体操（運動）": 53.9, "趣味活動": 20.7, "茶話会": 13.0, "会食": 3.0, "認知症予防": 3.0, "農作業": 0.8,
    "生涯学習": 2.0, "ボランティア活動": 1.2, "就労的活動": 0.4, "多世代交流": 1.5, "その他": 0.5,
}
MAIN_ACTIVITY_PROGRAM: dict[str, str | None] = {
    "体操（運動）": "motor", "会食": "nutrition", "茶話会": "social", "認知症予防": "cognition",
    "趣味活動": "social", "農作業": "social", "生涯学習": "social", "ボランティア活動": "social",
    "就労的活動": "social", "多世代交流": "social", "その他": None,
}
VENUE_SHARES: dict[str, float] = {
    "個人宅・空き家": 2.5, "公民館・自治会館・集会所": 83.1, "公園": 3.0, "農園": 0.6, "学校・廃校": 1.0,
    "医療機関の空きスペース": 1.0, "介護関係施設・事業所の空きスペース": 4.0, "店舗の空きスペース・空き店舗": 2.0,
    "その他": 2.3, "オンライン": 0.5,
}
OPERATOR_SHARES: dict[str, float] = {
    "住民個人": 18.0, "住民団体（自治会・NPO法人等）": 70.5, "行政（介護予防担当部局）": 3.5,
    "行政（介護予防担当部局以外）": 0.5, "社会福祉協議会": 3.5, "専門職団体": 0.5, "医療機関": 0.5,
    "介護関係施設・事業所": 2.0, "民間企業": 0.5, "その他": 0.5,
}
FREQUENCY_SHARES: dict[str, float] = {
    "週1回以上": 39.0, "月2回以上4回未満": 24.0, "月1回以上2回未満": 32.0, "月1回未満": 5.0,
}
QUALIFICATION_SHARES: dict[str, float] = {
    "保健師": 30, "リハビリテーション専門職": 20, "社会福祉士": 20, "主任介護支援専門員": 15,
    "その他関連業務経験者": 15,
}
ACTIVITY_KIND_SHARES: dict[str, float] = {
    "通いの場の立ち上げ支援": 10, "通いの場の継続支援": 30, "フレイル予防プログラムの普及": 15,
    "通いの場等の取組状況の把握": 10, "研修・会議への参加": 12, "住民・団体からの相談対応": 13,
    "地域ケア会議への参加": 6, "その他": 4,
}
# Activity summaries: (with a place, without one).
ACTIVITY_SUMMARIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "通いの場の立ち上げ支援": (("{p}の立ち上げ準備（会場・日程の相談）", "{p}の世話人と立ち上げ打合せ"),
                              ("新しいグループの立ち上げ説明会",)),
    "通いの場の継続支援": (("{p}を訪問し運営の相談に対応", "{p}の世話人と今後の活動を協議", "{p}の体操に同行"),
                          ("世話人交流会の開催",)),
    "フレイル予防プログラムの普及": (("{p}で口腔体操を紹介", "{p}でフレイルチェックを実施", "{p}で栄養ミニ講座"),
                                    ("フレイル予防講座の実施",)),
    "通いの場等の取組状況の把握": (("{p}の活動状況を確認",), ("地域の通いの場の実態調査",)),
    "研修・会議への参加": ((), ("推進支援センターの研修に参加", "推進員連絡会に出席")),
    "住民・団体からの相談対応": ((), ("住民からの参加相談に対応", "自治会からの相談に対応")),
    "地域ケア会議への参加": ((), ("地域ケア会議に出席",)),
    "その他": ((), ("広報紙の原稿作成", "活動報告資料の作成")),
}
PLACE_ACTIVITY_KINDS = {kind for kind, (with_place, _) in ACTIVITY_SUMMARIES.items() if with_place}

SURNAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
)
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("花子", "ハナコ"), ("恵子", "ケイコ"), ("由美", "ユミ"), ("直美", "ナオミ"), ("裕子", "ユウコ"),
    ("美穂", "ミホ"), ("智子", "トモコ"), ("洋子", "ヨウコ"), ("健一", "ケンイチ"), ("誠", "マコト"),
    ("大輔", "ダイスケ"), ("健太", "ケンタ"), ("翔太", "ショウタ"), ("修", "オサム"), ("拓也", "タクヤ"),
    ("美咲", "ミサキ"), ("真由美", "マユミ"), ("和子", "カズコ"),
)

TIMES = (("10:00", "11:30"), ("10:00", "11:00"), ("13:30", "15:00"), ("14:00", "15:30"), ("09:30", "11:00"),
         ("13:00", "15:00"))
# Attendance by month (cold January/February, hot and holiday August, busy spring and autumn).
SEASON = {4: 1.05, 5: 1.05, 6: 1.0, 7: 0.92, 8: 0.8, 9: 0.95, 10: 1.05, 11: 1.05, 12: 0.92, 1: 0.85,
          2: 0.88, 3: 0.98}
# Chance that a gathering is called off: summer break in August, otherwise weather or events.
SKIP_CHANCE = {8: 0.35, 1: 0.06}
SKIP_DEFAULT = 0.03
PROFESSIONAL_BY_PROGRAM = {"motor": "リハビリテーション専門職", "oral": "歯科衛生士", "nutrition": "管理栄養士・栄養士",
                           "cognition": "保健師", "social": "生活支援コーディネーター"}

STAGE_AREAS = "区市町村・人口"
STAGE_CENTERS = "地域包括支援センター"
STAGE_PLACES = "通いの場"
STAGE_PROMOTERS = "推進員・担当"
STAGE_MEMBERS = "参加者実人数"
STAGE_ACTIVITIES = "推進員の活動記録"
STAGE_EXPENSES = "経費"
STAGE_PLAN = "開催日の計画"
STAGE_GATHERINGS = "開催記録"


@dataclass
class DemoSummary:
    municipalities: int
    centers: int
    places: int
    promoters: int
    gatherings: int
    activities: int
    members: int
    fiscal_years: list[int]
    participants: int = 0  # issue 19: a few places keep a roster (services/demo_participants.py)
    checks: int = 0
    cases: int = 0  # 短期集中予防サービス (services/demo_cases.py)

    def __str__(self) -> str:
        years = "・".join(f"{fy}年度" for fy in self.fiscal_years)
        return (f"区市町村 {self.municipalities}、地域包括支援センター {self.centers}、通いの場 {self.places:,}、"
                f"推進員 {self.promoters}、開催記録 {self.gatherings:,}、活動記録 {self.activities:,}、"
                f"参加者実人数 {self.members:,}、参加者 {self.participants:,}（基本チェックリスト {self.checks:,}、"
                f"短期集中予防サービス {self.cases:,}）"
                f"（{years}）")


# ---------------------------------------------------------------- helpers

_DIGITS = ("", "イチ", "ニ", "サン", "ヨン", "ゴ", "ロク", "ナナ", "ハチ", "キュウ")


def kana_number(n: int) -> str:
    """Katakana reading of 1..9999 (ニ, ジュウサン, サンビャク …); other numbers as digits."""
    if not 0 < n < 10_000:
        return str(n)
    thousands, hundreds, tens, ones = n // 1000, n // 100 % 10, n // 10 % 10, n % 10
    text = {0: "", 1: "セン", 3: "サンゼン", 8: "ハッセン"}.get(thousands, _DIGITS[thousands] + "セン")
    text += {0: "", 1: "ヒャク", 3: "サンビャク", 6: "ロッピャク", 8: "ハッピャク"}.get(
        hundreds, _DIGITS[hundreds] + "ヒャク")
    text += {0: "", 1: "ジュウ"}.get(tens, _DIGITS[tens] + "ジュウ")
    return text + _DIGITS[ones]


class _Picker:
    """Weighted choice from a fixed table, deterministic for the rng's state."""

    def __init__(self, shares: dict[str, float]):
        self.items = list(shares)
        self.cum: list[float] = []
        total = 0.0
        for share in shares.values():
            total += share
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _month_starts(first: date, last: date) -> Iterator[date]:
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_end(month: date) -> date:
    return month_range(month.year, month.month)[1]


def _nth_weekdays(month: date, weekday: int) -> list[int]:
    """Days of the month falling on weekday (0 = Monday), in order."""
    first = (weekday - month.weekday()) % 7 + 1
    return list(range(first, _month_end(month).day + 1, 7))


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split total into integer parts proportional to weights (largest remainder), each ≥ minimum when
    total allows."""
    n = len(weights)
    floor_total = min(minimum * n, total)
    base = [floor_total // n + (i < floor_total % n) for i in range(n)]
    rest = total - sum(base)
    scale = sum(weights)
    raw = [rest * w / scale for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(n), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts)]


@dataclass
class _PlacePlan:
    place: Place
    area: tuple[str, str]
    size: float  # mean attendance
    female_share: float
    share_75: float
    share_under_65: float
    records_sex: bool
    records_age: bool
    professional_rate: float
    professional_kinds: tuple[str, ...]
    new_since: int  # ordinal of the opening date, for the ramp-up of new places
    stop_after: date  # last day gatherings can be held (closed, paused or today)
    weekdays: tuple[int, ...]
    weeks: tuple[int, ...]  # which occurrence(s) of the weekday in a month; () = every week
    month_parity: int | None  # for 月1回未満: meets only in months where month % 2 == parity
    times: tuple[str | None, str | None]
    assignments: list[tuple[str, int, int]] = field(default_factory=list)  # promoter id, first, last ordinal
    dates: array = field(default_factory=lambda: array("l"))


# ---------------------------------------------------------------- the builder

class _DemoBuilder:
    def __init__(self, db: Database, places: int, years: int, seed: int, today: date,
                 progress: Progress | None):
        self.db = db
        self.n_places = places
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress or (lambda stage, done, total: None)
        current = fiscal_year_of(today)
        self.fiscal_years = list(range(current - years + 1, current + 1))
        self.window_start = fiscal_year_range(self.fiscal_years[0])[0]
        self.municipalities: list[Municipality] = []
        self.population: dict[str, int] = {}  # 65+ of the first 年度
        self.areas: dict[str, list[tuple[str, str]]] = {}
        self.place_counts: dict[str, int] = {}
        self.centers: dict[str, list[Center]] = {}
        self.center_by_area: dict[tuple[str, str], str] = {}
        self.plans: list[_PlacePlan] = []
        self.promoters: list[Promoter] = []
        self.counts = {"centers": 0, "activities": 0, "members": 0}

    # -- stages ------------------------------------------------------------------------------------

    def choose_municipalities(self) -> None:
        rng = self.rng
        every = lookups.municipalities(self.db)
        small = [m for m in every if m.kind in ("町", "村")]
        large = [m for m in every if m.kind in ("特別区", "市")]
        wanted = 3 if self.n_places < 100 else 4 if self.n_places < 500 else 5 if self.n_places < 2000 else 6
        wanted = max(1, min(wanted, self.n_places))
        # One town or village under 10,000 people aged 65+ so both promoter caps occur.
        chosen = [rng.choice(small)] + (rng.sample(large, wanted - 1) if wanted > 1 else [])
        self.municipalities = sorted(chosen, key=lambda m: m.code)
        self.progress(STAGE_AREAS, 0, len(self.municipalities))
        rows: list[Population] = []
        for m in self.municipalities:
            if m.kind in ("町", "村"):
                base = rng.randint(400, 9_000)
            elif m.kind == "特別区":
                base = rng.randint(14_000, 180_000)
            else:
                base = rng.randint(12_000, 150_000)
            self.population[m.code] = base
            share_75 = rng.uniform(0.54, 0.60)
            for i, fy in enumerate(self.fiscal_years):
                p65 = round(base * (1 + 0.006 * i))
                rows.append(Population(m.code, fy, p65, round(p65 * (share_75 + 0.008 * i)),
                                       reference_date=date(fy, 4, 1)))
        counts = _allocate(self.n_places, [self.population[m.code] ** 0.7 for m in self.municipalities], minimum=2)
        for m, count in zip(self.municipalities, counts):
            self.place_counts[m.code] = count
            # More places, more neighbourhoods (and 丁目) to name them after.
            self.areas[m.code] = rng.sample(AREAS, min(len(AREAS), max(rng.randint(14, 24), count // 25)))
        records.add_many(self.db, rows, today=self.today)
        self.progress(STAGE_AREAS, len(self.municipalities), len(self.municipalities))

    def _phone(self, m: Municipality) -> str:
        rng = self.rng
        if m.kind == "特別区":
            return f"03-{rng.randint(3000, 6999)}-{rng.randint(0, 9999):04d}"
        return f"042-{rng.randint(300, 799)}-{rng.randint(0, 9999):04d}"

    def _address(self, m: Municipality, area: str, chome: int | None = None) -> str:
        rng = self.rng
        return f"{m.name}{area}{chome or rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"

    def add_centers(self) -> None:
        rng = self.rng
        rows: list[Center] = []
        for m in self.municipalities:
            areas = self.areas[m.code]
            count = rng.randint(2, 4)
            made = []
            for name, kana in areas[:count]:
                center = Center(m.code, f"{name}地域包括支援センター", f"{kana}チイキホウカツシエンセンター",
                                address=self._address(m, name), phone=self._phone(m), id=new_id())
                made.append(center)
            self.centers[m.code] = made
            for index, area in enumerate(areas):  # each area is served by one center
                self.center_by_area[(m.code, area[0])] = made[index % count].id
            rows += made
        self.progress(STAGE_CENTERS, 0, len(rows))
        records.add_many(self.db, rows, today=self.today)
        self.counts["centers"] = len(rows)
        self.progress(STAGE_CENTERS, len(rows), len(rows))

    def _place_name(self, m: Municipality, activity: str, venue: str, used: set[str]
                    ) -> tuple[str, str, tuple[str, ...], str, tuple[str, str], int | None]:
        """Name, kana, extra programs, venue kind, area and 丁目 of a new place; unique in the municipality."""
        rng = self.rng
        crowded = min(0.8, self.place_counts[m.code] / 1000)  # many places: longer names
        templates = TEMPLATES[activity]
        fitting = [t for t in templates if t[3] in (None, venue)]  # keep the venue shares as drawn
        template, kana_template, extra, implied = rng.choice(fitting or templates)
        venue = implied or venue
        area = rng.choice(self.areas[m.code])
        chome = None
        if rng.random() < crowded:
            chome = rng.randint(1, 5)
        area_name, area_kana = area
        if "{a}" in template and chome:
            area_name, area_kana = f"{area_name}{CHOME[chome][0]}", f"{area_kana}{CHOME[chome][1]}"
        elif "{a}" not in template and rng.random() < crowded:  # 「若葉さくら体操の会」
            template, kana_template = "{a}" + template, "{A}" + kana_template
        word = rng.choice(WORDS)
        values = {"a": area_name, "A": area_kana, "w": word[0], "W": word[1]}
        name, kana = template.format(**values), kana_template.format(**values)
        if name in used:
            number = 2
            while f"{name} 第{number}" in used:
                number += 1
            name, kana = f"{name} 第{number}", f"{kana} ダイ{kana_number(number)}"
        used.add(name)
        return name, kana, extra, venue, area, chome

    def _programs(self, first: str, second: str | None, extra: tuple[str, ...]) -> tuple[str, ...]:
        rng = self.rng
        chosen = {MAIN_ACTIVITY_PROGRAM[first], MAIN_ACTIVITY_PROGRAM.get(second or ""), *extra} - {None}
        for code, chance in (("motor", 0.25), ("social", 0.35), ("oral", 0.2), ("cognition", 0.2),
                             ("nutrition", 0.1)):
            if rng.random() < chance:
                chosen.add(code)
        if not chosen:
            chosen.add("social")
        return tuple(code for code in PROGRAM_CODES if code in chosen)

    def _period(self) -> tuple[date, date | None, str, date]:
        """Start, end, status and the last day with gatherings."""
        rng, today, window_start = self.rng, self.today, self.window_start
        roll = rng.random()
        if roll < 0.10 and (today - window_start).days > 30:  # opened during the years covered
            start = _random_day(rng, window_start, today - timedelta(days=14))
        else:  # most opened years ago (many in the 百歳体操 boom of the late 2010s)
            start = window_start - timedelta(days=rng.randint(60, 365 * 12))
        end, status, stop = None, "活動中", today
        roll = rng.random()
        if roll < 0.05 and start < window_start and (today - window_start).days > 60:
            end = _random_day(rng, window_start + timedelta(days=30), today - timedelta(days=1))
            status, stop = "終了", end
        elif roll < 0.07 and (today - start).days > 240:
            status, stop = "休止中", today - timedelta(days=rng.randint(30, 200))
        return start, end, status, stop

    def _schedule(self, frequency: str) -> tuple[tuple[int, ...], tuple[int, ...], int | None]:
        rng = self.rng
        weekday = rng.choices(range(6), weights=(20, 20, 20, 20, 17, 3))[0]
        if frequency == "週1回以上":
            if rng.random() < 0.25:  # twice a week
                return (weekday, (weekday + rng.choice((2, 3))) % 5), (), None
            return (weekday,), (), None
        if frequency == "月2回以上4回未満":
            return (weekday,), rng.choices(((0, 2), (1, 3), (0, 1, 2)), weights=(60, 25, 15))[0], None
        if frequency == "月1回以上2回未満":
            return (weekday,), (rng.randrange(4),), None
        return (weekday,), (rng.randrange(4),), rng.randrange(2)

    def add_places(self) -> None:
        rng = self.rng
        main_activity = _Picker(MAIN_ACTIVITY_SHARES)
        venue_kind = _Picker(VENUE_SHARES)
        operator_kind = _Picker(OPERATOR_SHARES)
        frequency_kind = _Picker(FREQUENCY_SHARES)
        rows: list[Place] = []
        self.progress(STAGE_PLACES, 0, self.n_places)
        for m in self.municipalities:
            used: set[str] = set()
            for _ in range(self.place_counts[m.code]):
                first = main_activity(rng)
                second = None
                if rng.random() < 0.55:
                    while (second := main_activity(rng)) == first:
                        pass
                name, kana, extra, venue, area, chome = self._place_name(m, first, venue_kind(rng), used)
                operator = operator_kind(rng)
                frequency = frequency_kind(rng)
                start, end, status, stop = self._period()
                size = max(4.0, rng.gauss(18, 7) if first == "体操（運動）" else rng.gauss(12, 5))
                if rng.random() < 0.05:
                    size = rng.uniform(35, 65)
                programs = self._programs(first, second, extra)
                online = venue == "オンライン"
                notes = "オンライン開催" if online else "雨天時は中止" if venue == "公園" else ""
                times = rng.choice(TIMES) if rng.random() < 0.9 else (None, None)
                surname = rng.choice(SURNAMES)[0]
                place = Place(
                    m.code, name, kana, center_id=self.center_by_area[(m.code, area[0])],
                    address="" if online else self._address(m, area[0], chome), venue_kind=venue,
                    operator_kind=operator, main_activity_1=first, main_activity_2=second,
                    frequency_declared=frequency, start_date=start, end_date=end, status=status,
                    capacity=max(10, round(size * 1.5 / 5) * 5) if rng.random() < 0.7 else None,
                    contact=f"{surname}（世話人） {self._phone(m)}", notes=notes, programs=programs, id=new_id())
                weekdays, weeks, parity = self._schedule(frequency)
                supported = rng.random() < 0.4
                kinds = tuple(PROFESSIONAL_BY_PROGRAM[code] for code in programs) + ("看護師", "社会福祉士")
                self.plans.append(_PlacePlan(
                    place, area, size, min(1.0, max(0.4, rng.gauss(0.8, 0.08))),
                    min(0.95, max(0.3, rng.gauss(0.72, 0.08))), max(0.0, rng.gauss(0.03, 0.02)),
                    records_sex=rng.random() < 0.85, records_age=rng.random() < 0.7,
                    professional_rate=rng.uniform(0.05, 0.3) if supported else 0.0,
                    professional_kinds=kinds, new_since=start.toordinal(), stop_after=min(stop, self.today),
                    weekdays=weekdays, weeks=weeks, month_parity=parity, times=times))
                rows.append(place)
        records.add_many(self.db, rows, today=self.today)
        self.progress(STAGE_PLACES, len(rows), self.n_places)

    def _person_name(self, used: set[str]) -> tuple[str, str]:
        while True:
            surname, given = self.rng.choice(SURNAMES), self.rng.choice(GIVEN_NAMES)
            name = surname[0] + given[0]
            if name not in used:
                used.add(name)
                return name, surname[1] + given[1]

    def add_promoters(self) -> None:
        rng, today = self.rng, self.today
        first_fy_end = fiscal_year_range(self.fiscal_years[0])[1]
        current_start = fiscal_year_range(self.fiscal_years[-1])[0]
        qualification = _Picker(QUALIFICATION_SHARES)
        used: set[str] = set()
        plans_by_municipality: dict[str, list[_PlacePlan]] = {}
        for plan in self.plans:
            plans_by_municipality.setdefault(plan.place.municipality_code, []).append(plan)
        self.progress(STAGE_PROMOTERS, 0, len(self.municipalities))
        for done, m in enumerate(self.municipalities, 1):
            cap = 1 if self.population[m.code] < 10_000 else 2
            # Small places get one more than their cap (the cap warning); large ones sometimes three.
            count = 2 if cap == 1 else rng.choice((1, 2, 2, 2, 3))
            promoters = []
            for k in range(count):
                if k == 0 or rng.random() < 0.5:
                    start = date(rng.randint(2019, self.fiscal_years[0]), 4, 1)
                else:  # hired during the years covered, on the first of a month
                    latest = today if k < cap else max(current_start, today - timedelta(days=60))
                    start = _random_day(rng, current_start if k >= cap else self.window_start, latest)
                    start = start.replace(day=1)
                end = None
                if k > 0 and k < cap and start <= first_fy_end and rng.random() < 0.15:
                    end = first_fy_end
                name, kana = self._person_name(used)
                centers = self.centers[m.code]
                promoters.append(Promoter(
                    m.code, name, qualification(rng), start, end, kana=kana,
                    center_id=rng.choice(centers).id if rng.random() < 0.6 else None,
                    contact=self._phone(m), id=new_id()))
            records.add_many(self.db, promoters, today=today)
            self.promoters += promoters
            assignments = []
            plans = plans_by_municipality.get(m.code, [])
            for promoter in promoters:
                for plan in rng.sample(plans, min(len(plans), rng.randint(3, 12))):
                    place = plan.place
                    first = max(promoter.start_date, place.start_date)
                    ends = [d for d in (promoter.end_date, place.end_date) if d is not None]
                    last = min(ends) if ends else None
                    if first > today or (last is not None and last < first):
                        continue
                    assignments.append(Assignment(promoter.id, place.id, first, last, id=new_id()))
                    plan.assignments.append((promoter.id, first.toordinal(),
                                             (last or today).toordinal()))
            records.add_many(self.db, assignments, today=today)
            self.progress(STAGE_PROMOTERS, done, len(self.municipalities))

    def add_members(self) -> None:
        """Draw each place's 実人数 per 年度; written by write_members once the gatherings exist."""
        rng = self.rng
        self.drawn_members: list[tuple[_PlacePlan, int, int]] = []
        for plan in self.plans:
            place = plan.place
            for fy in self.fiscal_years:
                fy_start, fy_end = fiscal_year_range(fy)
                if place.start_date > min(fy_end, self.today) or (place.end_date and place.end_date < fy_start):
                    continue
                self.drawn_members.append((plan, fy, max(1, round(plan.size * rng.uniform(1.2, 1.7)))))

    def write_members(self) -> None:
        """The drawn 実人数, never above the place's 延べ参加者数 of the 年度 (validate calls that an エラー: a place
        with few gatherings has few people), and none for a 年度 without gatherings."""
        attendance = {fy: {row["place_id"]: row["attendance"] for row in check_queries.gathering_span_by_place(
            self.db, Scope(*fiscal_year_range(fy), None))} for fy in self.fiscal_years}
        rows: list[Members] = []
        for plan, fy, drawn in self.drawn_members:
            held = attendance[fy].get(plan.place.id, 0)
            if not held or roster_queries.keeps_roster(self.db, plan.place.id, fy):
                continue
            total = min(held, drawn)
            male = female = under_65 = age_65_74 = age_75_plus = None
            if plan.records_sex:
                female = min(total, round(total * plan.female_share))
                male = total - female
            if plan.records_age:
                age_75_plus = min(total, round(total * plan.share_75))
                under_65 = min(total - age_75_plus, round(total * plan.share_under_65))
                age_65_74 = total - age_75_plus - under_65
            rows.append(Members(plan.place.id, fy, total, male, female, under_65, age_65_74, age_75_plus))
        self.progress(STAGE_MEMBERS, 0, len(rows))
        records.add_many(self.db, rows, today=self.today)
        self.counts["members"] = len(rows)
        self.progress(STAGE_MEMBERS, len(rows), len(rows))

    def add_activities(self) -> None:
        rng, today = self.rng, self.today
        kind_picker = _Picker(ACTIVITY_KIND_SHARES)
        every_kind = list(ACTIVITY_KIND_SHARES)
        assigned: dict[str, list[tuple[_PlacePlan, int, int]]] = {}
        for plan in self.plans:
            for promoter_id, first, last in plan.assignments:
                assigned.setdefault(promoter_id, []).append((plan, first, last))
        rows: list[Activity] = []
        for index, promoter in enumerate(self.promoters):
            first_day = max(promoter.start_date, self.window_start)
            last_day = min(promoter.end_date or today, today)
            forced = list(every_kind) if index == 0 else []  # every kind occurs at least once
            for month in _month_starts(first_day, last_day):
                low, high = max(month, first_day), min(_month_end(month), last_day)
                if low > high:
                    continue
                for _ in range(rng.randint(3, 9)):
                    kind = forced.pop(0) if forced else kind_picker(rng)
                    done_on = _random_day(rng, low, high)
                    place = None
                    if kind in PLACE_ACTIVITY_KINDS:
                        ordinal = done_on.toordinal()
                        candidates = [plan for plan, a, b in assigned.get(promoter.id, []) if a <= ordinal <= b]
                        if candidates and rng.random() < 0.85:
                            place = rng.choice(candidates)
                    with_place, without_place = ACTIVITY_SUMMARIES[kind]
                    summary = (rng.choice(with_place).format(p=place.place.name) if place
                               else rng.choice(without_place))
                    rows.append(Activity(promoter.id, done_on, kind, place.place.id if place else None,
                                         minutes=rng.randrange(30, 181, 15), summary=summary))
        rows.sort(key=lambda a: a.done_on)  # stable: equal dates keep their generated order
        self.progress(STAGE_ACTIVITIES, 0, len(rows))
        records.add_many(self.db, rows, today=today)
        self.counts["activities"] = len(rows)
        self.progress(STAGE_ACTIVITIES, len(rows), len(rows))

    def add_expenses(self) -> None:
        rng = self.rng
        rows: list[Expense] = []
        by_municipality: dict[str, list[Promoter]] = {}
        for promoter in self.promoters:
            by_municipality.setdefault(promoter.municipality_code, []).append(promoter)
        for m_index, m in enumerate(self.municipalities):
            promoters = by_municipality.get(m.code, [])
            delegated = bool(promoters) and all(p.center_id for p in promoters)
            for fy_index, fy in enumerate(self.fiscal_years):
                months = sum(open_months_in_fiscal_year(p.start_date, p.end_date, fy) for p in promoters)
                if months == 0:
                    continue
                notes = "見込額" if fy == self.fiscal_years[-1] else ""
                vary = lambda amount: round(amount * rng.uniform(0.9, 1.1))  # noqa: E731
                amounts: dict[str, int] = {}
                if delegated:
                    amounts["委託料"] = vary(440_000 * months)
                else:
                    amounts.update({"報酬": vary(330_000 * months), "職員手当等": vary(60_000 * months),
                                    "共済費": vary(50_000 * months)})
                amounts.update({"旅費": vary(5_000 * months), "需用費": vary(rng.randint(50_000, 200_000)),
                                "役務費": vary(rng.randint(20_000, 60_000)),
                                "報償費": vary(rng.randint(30_000, 150_000))})
                if rng.random() < 0.4:
                    amounts["使用料及賃借料"] = vary(rng.randint(20_000, 120_000))
                if m_index == 0 and fy_index == 0:  # excluded from the subsidy
                    amounts["備品購入費"] = vary(rng.randint(100_000, 300_000))
                rows += [Expense(m.code, fy, category, amount,
                                 notes="プロジェクター購入" if category == "備品購入費" else notes)
                         for category, amount in amounts.items()]
        self.progress(STAGE_EXPENSES, 0, len(rows))
        records.add_many(self.db, rows, today=self.today)
        self.progress(STAGE_EXPENSES, len(rows), len(rows))

    # -- gatherings ---------------------------------------------------------------------------------

    def plan_dates(self) -> int:
        """Each place's gathering dates (as ordinals, compact), following its schedule with summer and
        New Year breaks; returns how many there are."""
        rng = self.rng
        total = 0
        for index, plan in enumerate(self.plans):
            first = max(plan.place.start_date, self.window_start)
            last = plan.stop_after
            dates = plan.dates
            for month in _month_starts(first, last):
                if plan.month_parity is not None and month.month % 2 != plan.month_parity:
                    continue
                days: list[int] = []
                for weekday in plan.weekdays:
                    occurrences = _nth_weekdays(month, weekday)
                    days += occurrences if not plan.weeks else [occurrences[w] for w in plan.weeks
                                                                if w < len(occurrences)]
                days.sort()
                skip = SKIP_CHANCE.get(month.month, SKIP_DEFAULT)
                for day in days:
                    if (month.month == 12 and day >= 28) or (month.month == 1 and day <= 4):
                        continue  # 年末年始
                    if rng.random() < skip:
                        continue
                    held = month.replace(day=day)
                    if first <= held <= last:
                        dates.append(held.toordinal())
            total += len(dates)
            if index % 1000 == 999:
                self.progress(STAGE_PLAN, index + 1, len(self.plans))
        self.progress(STAGE_PLAN, len(self.plans), len(self.plans))
        return total

    def _gathering(self, plan: _PlacePlan, ordinal: int) -> Gathering:
        rng = self.rng
        held = date.fromordinal(ordinal)
        ramp = min(1.0, 0.5 + (ordinal - plan.new_since) / 365) if ordinal - plan.new_since < 183 else 1.0
        mean = plan.size * SEASON[held.month] * ramp
        attendance = max(1, int(rng.gauss(mean, max(1.0, mean * 0.15)) + 0.5))
        male = female = under_65 = age_65_74 = age_75_plus = new = None
        if plan.records_sex:
            female = min(attendance, int(attendance * plan.female_share + rng.random()))
            male = attendance - female
        if plan.records_age:
            age_75_plus = min(attendance, int(attendance * plan.share_75 + rng.random()))
            under_65 = min(attendance - age_75_plus, int(attendance * plan.share_under_65 + rng.random()))
            age_65_74 = attendance - age_75_plus - under_65
            opened_recently = ordinal - plan.new_since < 180
            new = 0
            if rng.random() < (0.3 if opened_recently else 0.1 if held.month == 4 else 0.05):
                new = min(attendance, rng.randint(1, 3))
        professionals: list[str] = []
        if plan.professional_rate and rng.random() < plan.professional_rate:
            professionals.append(rng.choice(plan.professional_kinds))
        promoter_id = None
        if plan.assignments:
            present = [pid for pid, first, last in plan.assignments if first <= ordinal <= last]
            if present and rng.random() < 0.12:
                promoter_id = present[0]
                professionals.append("推進員")
        programs = plan.place.programs
        if len(programs) > 1 and rng.random() < 0.25:
            dropped = rng.randrange(1, len(programs))
            programs = programs[:dropped] + programs[dropped + 1:]
        notes = ""
        if attendance < mean * 0.7 and held.month in (7, 8, 1, 2) and rng.random() < 0.3:
            notes = "暑さのため参加者少なめ" if held.month in (7, 8) else "寒さのため参加者少なめ"
        return Gathering(
            plan.place.id, held, attendance, plan.times[0], plan.times[1], programs, male, female,
            under_65, age_65_74, age_75_plus, new, tuple(professionals), promoter_id, notes)

    def gatherings(self) -> Iterator[Gathering]:
        """All gatherings in date order, made one month at a time (memory: one month's worth)."""
        positions = [0] * len(self.plans)
        for month in _month_starts(self.window_start, self.today):
            limit = (_month_end(month) + timedelta(days=1)).toordinal()
            due: list[tuple[int, int]] = []
            for index, plan in enumerate(self.plans):
                dates, position = plan.dates, positions[index]
                while position < len(dates) and dates[position] < limit:
                    due.append((dates[position], index))
                    position += 1
                positions[index] = position
            due.sort()
            for ordinal, index in due:
                yield self._gathering(self.plans[index], ordinal)

    def add_gatherings(self) -> int:
        total = self.plan_dates()
        self.progress(STAGE_GATHERINGS, 0, total)
        written = bulk.add_gatherings(
            self.db, self.gatherings(), today=self.today,
            progress=lambda done: self.progress(STAGE_GATHERINGS, done, total))
        for plan in self.plans:
            plan.dates = array("l")
        return written


class NotADemoDatabaseError(UserFacingError, ValueError):
    """`demo` was pointed at a database that holds real records."""

    kind = "not_a_demo_database"


def _require_demo_or_empty(db: Database) -> None:
    """Invented records go only into a demo database or an empty one (which becomes a demo database)."""
    if not is_demo_database(db) and lookups.holds_user_records(db):
        raise NotADemoDatabaseError(
            f"このデータベースには実際の記録があるため、デモデータを作成しません: {db.path}。"
            "デモデータは新しいファイル（--db で存在しないファイル名を指定）に作成してください。"
            "データベースは変更していません。")


def create_demo(db: Database, *, places: int = 200, years: int = 2, seed: int = 1, today: date | None = None,
                progress: Progress | None = None) -> DemoSummary:
    """Fill the database with demo records for `years` 年度 ending with the current one (up to `today`),
    all or nothing, and mark it as a demo database. Refused (NotADemoDatabaseError, nothing written) for a
    database holding records that is not a demo database."""
    rights.require(db, roles.ADMINISTER)
    if places < 1:
        raise ValueError("通いの場の数は1以上で指定してください。")
    if years < 1:
        raise ValueError("年度数は1以上で指定してください。")
    builder = _DemoBuilder(db, places, years, seed, today or date.today(), progress)
    with db.write():
        _require_demo_or_empty(db)  # inside the transaction: nobody adds records between check and write
        if not is_demo_database(db):
            mark_as_demo(db)
        builder.choose_municipalities()
        builder.add_centers()
        builder.add_places()
        builder.add_promoters()
        builder.add_members()
        builder.add_activities()
        builder.add_expenses()
        gatherings = builder.add_gatherings()
        people = add_demo_participants(
            db, [plan.place for plan in builder.plans], seed=seed, first_day=builder.window_start,
            today=builder.today, names=[(s[0] + g[0], s[1] + g[1]) for s in SURNAMES for g in GIVEN_NAMES])
        builder.write_members()  # after the rosters: a roster place's 実人数 is computed, not typed
        cases = add_demo_cases(db, seed=seed, today=builder.today)
    return DemoSummary(
        municipalities=len(builder.municipalities), centers=builder.counts["centers"], places=len(builder.plans),
        promoters=len(builder.promoters), gatherings=gatherings, activities=builder.counts["activities"],
        members=builder.counts["members"], fiscal_years=list(builder.fiscal_years),
        participants=people.participants, checks=people.checks + cases.checks, cases=cases.cases)
