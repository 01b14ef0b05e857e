"""The definitions printed as footnotes of reports 1 and 2 and written to the exports' 定義 sheet: the wording
of ../shared/domain.md, with the settings that change a figure spelled out."""

from __future__ import annotations

from kaigo_desktop.services.settings import ComputationSettings


def submission_definitions(settings: ComputationSettings) -> list[tuple[str, str]]:
    month = settings.survey_reference_month
    return [
        ("年度", "4月1日から翌年3月31日まで。開始する年で呼びます（2025年度＝令和7年度）。"),
        ("活動中の通いの場", "開設期間（開始日～終了日、終了日がなければ継続中）が年度と重なり、削除されていない通いの場。"),
        ("調査対象の通いの場", f"活動中の通いの場のうち、基準月（{month}月）に開催記録が1回以上あるもの"
                        "（国の調査の「月1回以上の活動実績」に相当）。"),
        ("プログラム種別", "1か所が複数の種別を実施する場合は、種別ごとに1か所と数えます（合計は通いの場数と一致しません）。"),
        ("開催頻度（届出）", "通いの場が登録した開催頻度。未登録は「未設定」。"),
        ("開催頻度（実績）", "年度内の開催回数 ÷ 年度内に開設していた月数（1日でも開設していれば1か月）。"
                      "4以上＝週1回以上、2以上＝月2回以上4回未満、1以上＝月1回以上2回未満、それ未満＝月1回未満。"),
        ("開催回数・延べ参加者数", "活動中の通いの場の、年度内の開催記録の件数と参加者数の合計。"),
        ("参加者実人数", "通いの場ごと・年度ごとに登録した実人数の合計。2か所に参加する人は2人と数えます。"
                   "男女別・年齢別は内訳が登録された人数のみ。内訳のない人数は「不明」。"),
        ("参加者実人数（65歳以上）", "65～74歳と75歳以上の合計。年齢の内訳がない通いの場は実人数の全体を数えます。"),
        ("参加率", "参加者実人数（65歳以上）÷ 65歳以上人口（住民基本台帳）× 100。小数第1位まで（四捨五入）。"),
        ("専門職の関与", "年度内に専門職（医師、保健師、リハビリテーション専門職など）が関与した開催が1回以上ある"
                   "活動中の通いの場。"),
    ]


def promoter_definitions(settings: ComputationSettings) -> list[tuple[str, str]]:
    subsidy = settings.subsidy
    base = f"{subsidy.base_per_promoter:,}円"
    if subsidy.prorate_by_month:
        counted = (f"推進員1人あたり{base}を、年度内に配置した月数（1日でも配置した月を含む）÷12で月割りし、"
                   "上限人数まで（配置月数の多い順）合計した額（円未満切捨て）。")
    else:
        counted = f"{base} × 配置人数（上限人数まで）。年度の途中の配置でも1人と数えます。"
    rounding = (f"{subsidy.round_down_unit:,}円未満切捨て" if subsidy.round_down_unit > 0 else "端数処理なし")
    return [
        ("配置人数", "年度内に1日以上配置した推進員の人数（削除した推進員を除く）。"),
        ("上限人数", "65歳以上人口が10,000人以上の区市町村は2人、10,000人未満は1人。"
                 "65歳以上人口が未登録の場合は補助額の計算上1人とします。"),
        ("対象経費", "報酬、給料、職員手当等、共済費、報償費、旅費、需用費、役務費、委託料、使用料及賃借料、負担金の合計。"
                 "備品購入費は対象外。"),
        ("基準額", counted),
        ("補助所要額", f"対象経費と基準額のいずれか少ない額 × 補助率10/10（{rounding}）。"),
        ("活動件数・時間", "年度内の活動記録の件数と時間（分）の合計。"),
        ("担当通いの場", "年度内に担当として割り当てられていた通いの場の数。"),
        ("支援した通いの場", "年度内の活動記録で対象とした通いの場。参加者実人数はその通いの場の年度の実人数。"),
    ]
