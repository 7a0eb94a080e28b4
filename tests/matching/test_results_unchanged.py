"""Matched terms and snippets are pinned to the values the implementation gave before matched
terms were cached per document and snippets found by walking from the cluster (recorded then,
not computed now): on a few fixed articles and topics, and for ``make_snippet`` with small
limits and odd spans."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from matching import Document, MatchedTerm, Topic, TopicMatcher, parse_query
from matching.snippet import make_snippet

LONG_FILLER = (
    "the ministers met on tuesday to discuss the budget and the harvest while officials said "
    "talks would continue next week in the capital"
)


def _long_text() -> str:
    """About 9,000 characters of sentences, matches sparse then dense, built without random."""
    filler = LONG_FILLER.split()
    subject = ["NATO", "China", "weapons", "Beijing", "lethal aid", "Stoltenberg", "arms"]
    sentences: list[str] = []
    for n in range(110):
        words = [filler[(n * 7 + k * 3) % len(filler)] for k in range(8 + n % 9)]
        if n % 11 == 3 or 60 <= n < 64:
            for k in range(1 + n % 3):
                words.insert((k * 5 + n) % len(words), subject[(n + k) % len(subject)])
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + (".", ",", ";")[n % 3])
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    return "\n\n".join(paragraphs)


ARTICLE = (
    "NATO’s secretary general Jens Stoltenberg warned on Tuesday that China is providing "
    "Russia with  components, machine tools and dual-use goods.\n\nThe alliance said Beijing’s "
    "support amounted to lethal aid in all but name; NATO-China relations have soured.\t"
    "Ministers in Brussels discussed weapons, weaponry and arms exports, while Chinese "
    "officials denied sending lethal aid or any weapon at all. "
    * 3
    + "The summit ended without a communiqué on China."
)

DOCUMENTS: dict[str, tuple[str, str]] = {
    "article": ("NATO’s Stoltenberg warns China over weapons for Russia", ARTICLE),
    "long": ("Ministers meet", _long_text()),
    "unicode": (
        "L’OTAN et la Chine",
        "L’OTAN s’inquiète : la Chine livrerait des armes.\u00a0\u00a0Pékin dément ; "
        "½ des stocks, ﬁre and ﬁrearms. Voir https://example.org/nato-china-weapons-report-"
        "2024/annex/very-long-path-segment-for-testing?q=arms&lang=fr pour les détails. "
        "Cafe\u0301 NATO\u3000China\u2003weapons "
        + "Le conseil a débattu longuement. " * 12
        + "OTAN, Chine, armes et OTAN encore.",
    ),
    "unspaced": ("", "长" * 400 + " NATO China weapons " + "长" * 400 + "NATO长" * 30),
    "giant-word": (
        "NATO",
        "x" * 120 + " NATO " + "arms" * 90 + " China weapons " + "y" * 60 + " and more NATO.",
    ),
    "title-only": ("NATO summit on China weapons", ""),
    "blank-text": ("NATO and China", " \n\t "),
    "short": ("", "NATO China weapons"),
}

TOPICS = [
    Topic("words", "(NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin)"),
    Topic("arms", '(weapons OR arms OR armes OR "lethal aid") AND (NATO OR OTAN)'),
    Topic("prefix", "weapon* AND (chin* OR beijing)"),
    Topic("phrase", '"secretary general" OR "machine tools" OR "dual use"'),
    Topic("proximity", '"china weapons"~6 OR "nato arms"~4'),
    Topic("title-scope", "title:NATO AND China"),
    Topic("text-scope", "text:(NATO OR OTAN) AND title:(China OR Chine)"),
    Topic("not-only", "NOT cricket"),
    Topic("or-default", "nato china weapons -cricket", "OR"),
    Topic("fractions", '"1 2" OR fire OR ﬁrearms OR cafe'),
    Topic("overlap", '"lethal aid" AND aid AND lethal'),
    Topic("ministers", "ministers AND (budget OR harvest) AND NOT cricket"),
    Topic("giant", "arms* OR x* OR china"),
    Topic("long-phrase", '"NATO China weapons"'),
]

SNIPPET_SPANS: list[tuple[str, list[tuple[int, int, str]], int]] = [
    ("article", [(0, 4, "nato"), (61, 70, "tuesday")], 40),
    ("article", [(0, 4, "nato"), (61, 70, "tuesday")], 12),
    ("article", [(5, 40, "long"), (30, 60, "overlapping")], 30),
    ("article", [(300, 320, "x"), (10, 5, "bad"), (-3, 2, "neg"), (9999, 10010, "out")], 60),
    ("article", [(120, 135, "a"), (400, 410, "b"), (405, 420, "c"), (130, 150, "d")], 80),
    ("article", [(100, 103, "a"), (104, 106, "a"), (700, 720, "b")], 6),
    ("article", [], 50),
    ("long", [(4000, 4010, "m")], 300),
    ("long", [(1, 4, "a"), (2000, 2003, "b"), (8000, 8003, "c")], 100),
    ("unicode", [(150, 190, "url")], 60),
    ("unicode", [(165, 168, "mid-url")], 45),
    ("unspaced", [(400, 404, "nato"), (405, 410, "china")], 30),
    ("giant-word", [(125, 485, "arms")], 300),
    ("giant-word", [(125, 485, "arms"), (0, 120, "x")], 100),
]


EXPECTED_MATCHES: dict[str, list[tuple[str, str, str]]] = {
    "article": [
        (
            "words",
            (
                "title:nato@0-4; title:stoltenberg@7-18; title:china@25-30; text:nato@0-4; "
                "text:stoltenberg@30-41; text:china@65-70; text:beijing@162-169; "
                "text:nato@220-224; text:china@225-230; text:nato@394-398; "
                "text:stoltenberg@424-435; text:china@459-464; text:beijing@556-563; "
                "text:nato@614-618; text:china@619-624; text:nato@788-792; "
                "text:stoltenberg@818-829; text:china@853-858; text:beijing@950-957; "
                "text:nato@1008-1012; text:china@1013-1018; text:china@1223-1228"
            ),
            (
                "**NATO**’s secretary general Jens **Stoltenberg** warned on Tuesday that **Chi"
                "na** is providing Russia with components, machine tools and dual-use goods. Th"
                "e alliance said **Beijing**’s support amounted to lethal aid in all but name; "
                "**NATO**-**China** relations have soured. Ministers in Brussels…"
            ),
        ),
        (
            "arms",
            (
                "title:nato@0-4; title:weapons@36-43; text:nato@0-4; text:lethal aid@192-202; "
                "text:nato@220-224; text:weapons@286-293; text:arms@308-312; "
                "text:lethal aid@361-371; text:nato@394-398; text:lethal aid@586-596; "
                "text:nato@614-618; text:weapons@680-687; text:arms@702-706; "
                "text:lethal aid@755-765; text:nato@788-792; text:lethal aid@980-990; "
                "text:nato@1008-1012; text:weapons@1074-1081; text:arms@1096-1100; "
                "text:lethal aid@1149-1159"
            ),
            (
                "…Beijing’s support amounted to **lethal aid** in all but name; **NATO**-China "
                "relations have soured. Ministers in Brussels discussed **weapons**, weaponry a"
                "nd **arms** exports, while Chinese officials denied sending **lethal aid** or "
                "any weapon at all. **NATO**’s secretary general Jens Stoltenberg…"
            ),
        ),
        (
            "prefix",
            (
                "title:chin*@25-30; title:weapon*@36-43; text:chin*@65-70; "
                "text:beijing@162-169; text:chin*@225-230; text:weapon*@286-293; "
                "text:weapon*@295-303; text:chin*@328-335; text:weapon*@379-385; "
                "text:chin*@459-464; text:beijing@556-563; text:chin*@619-624; "
                "text:weapon*@680-687; text:weapon*@689-697; text:chin*@722-729; "
                "text:weapon*@773-779; text:chin*@853-858; text:beijing@950-957; "
                "text:chin*@1013-1018; text:weapon*@1074-1081; text:weapon*@1083-1091; "
                "text:chin*@1116-1123; text:weapon*@1167-1173; text:chin*@1223-1228"
            ),
            (
                "…that **China** is providing Russia with components, machine tools and dual-us"
                "e goods. The alliance said **Beijing**’s support amounted to lethal aid in all"
                " but name; NATO-**China** relations have soured. Ministers in Brussels discuss"
                "ed **weapons**, **weaponry** and arms exports, while **Chinese**…"
            ),
        ),
        (
            "phrase",
            (
                "text:secretary general@7-24; text:machine tools@109-122; "
                "text:dual use@127-135; text:secretary general@401-418; "
                "text:machine tools@503-516; text:dual use@521-529; "
                "text:secretary general@795-812; text:machine tools@897-910; "
                "text:dual use@915-923"
            ),
            (
                "NATO’s **secretary general** Jens Stoltenberg warned on Tuesday that China is "
                "providing Russia with components, **machine tools** and **dual-use** goods. Th"
                "e alliance said Beijing’s support amounted to lethal aid in all but name; NATO"
                "-China relations have soured. Ministers in Brussels discussed…"
            ),
        ),
        (
            "proximity",
            "title:china@25-30; title:weapons@36-43",
            "NATO’s Stoltenberg warns **China** over **weapons** for Russia",
        ),
        (
            "title-scope",
            (
                "title:nato@0-4; title:china@25-30; text:china@65-70; text:china@225-230; "
                "text:china@459-464; text:china@619-624; text:china@853-858; "
                "text:china@1013-1018; text:china@1223-1228"
            ),
            (
                "NATO’s secretary general Jens Stoltenberg warned on Tuesday that **China** is "
                "providing Russia with components, machine tools and dual-use goods. The allian"
                "ce said Beijing’s support amounted to lethal aid in all but name; NATO-**China"
                "** relations have soured. Ministers in Brussels discussed weapons,…"
            ),
        ),
        (
            "text-scope",
            (
                "title:china@25-30; text:nato@0-4; text:nato@220-224; text:nato@394-398; "
                "text:nato@614-618; text:nato@788-792; text:nato@1008-1012"
            ),
            (
                "**NATO**’s secretary general Jens Stoltenberg warned on Tuesday that China is "
                "providing Russia with components, machine tools and dual-use goods. The allian"
                "ce said Beijing’s support amounted to lethal aid in all but name; **NATO**-Chi"
                "na relations have soured. Ministers in Brussels discussed weapons,…"
            ),
        ),
        (
            "not-only",
            "",
            (
                "NATO’s secretary general Jens Stoltenberg warned on Tuesday that China is prov"
                "iding Russia with components, machine tools and dual-use goods. The alliance s"
                "aid Beijing’s support amounted to lethal aid in all but name; NATO-China relat"
                "ions have soured. Ministers in Brussels discussed weapons,…"
            ),
        ),
        (
            "or-default",
            (
                "title:nato@0-4; title:china@25-30; title:weapons@36-43; text:nato@0-4; "
                "text:china@65-70; text:nato@220-224; text:china@225-230; "
                "text:weapons@286-293; text:nato@394-398; text:china@459-464; "
                "text:nato@614-618; text:china@619-624; text:weapons@680-687; "
                "text:nato@788-792; text:china@853-858; text:nato@1008-1012; "
                "text:china@1013-1018; text:weapons@1074-1081; text:china@1223-1228"
            ),
            (
                "…all but name; **NATO**-**China** relations have soured. Ministers in Brussels"
                " discussed **weapons**, weaponry and arms exports, while Chinese officials den"
                "ied sending lethal aid or any weapon at all. **NATO**’s secretary general Jens"
                " Stoltenberg warned on Tuesday that **China** is providing Russia…"
            ),
        ),
        (
            "overlap",
            (
                "text:lethal@192-198; text:lethal aid@192-202; text:aid@199-202; "
                "text:lethal@361-367; text:lethal aid@361-371; text:aid@368-371; "
                "text:lethal@586-592; text:lethal aid@586-596; text:aid@593-596; "
                "text:lethal@755-761; text:lethal aid@755-765; text:aid@762-765; "
                "text:lethal@980-986; text:lethal aid@980-990; text:aid@987-990; "
                "text:lethal@1149-1155; text:lethal aid@1149-1159; text:aid@1156-1159"
            ),
            (
                "…goods. The alliance said Beijing’s support amounted to **lethal aid** in all "
                "but name; NATO-China relations have soured. Ministers in Brussels discussed we"
                "apons, weaponry and arms exports, while Chinese officials denied sending **let"
                "hal aid** or any weapon at all. NATO’s secretary general Jens…"
            ),
        ),
        (
            "giant",
            (
                "title:china@25-30; text:china@65-70; text:china@225-230; text:arms*@308-312; "
                "text:china@459-464; text:china@619-624; text:arms*@702-706; "
                "text:china@853-858; text:china@1013-1018; text:arms*@1096-1100; "
                "text:china@1223-1228"
            ),
            (
                "…on Tuesday that **China** is providing Russia with components, machine tools "
                "and dual-use goods. The alliance said Beijing’s support amounted to lethal aid"
                " in all but name; NATO-**China** relations have soured. Ministers in Brussels "
                "discussed weapons, weaponry and **arms** exports, while Chinese…"
            ),
        ),
    ],
    "long": [
        (
            "words",
            (
                "text:beijing@169-176; text:nato@942-946; text:china@963-968; "
                "text:stoltenberg@1833-1844; text:china@2627-2632; text:stoltenberg@3394-3405; "
                "text:nato@3411-3415; text:beijing@4199-4206; text:stoltenberg@4404-4415; "
                "text:china@4499-4504; text:nato@4595-4599; text:nato@4651-4655; "
                "text:stoltenberg@5803-5814; text:beijing@5826-5833; text:nato@6632-6636; "
                "text:china@6657-6662"
            ),
            (
                "…capital. Officials **Stoltenberg** arms would week capital met to budget harv"
                "est said continue in the on discuss and, **China** in the on discuss and while"
                " talks next the ministers tuesday the the officials arms would **NATO** week; "
                "Tuesday the the officials would week capital **NATO** met. Harvest…"
            ),
        ),
        (
            "arms",
            (
                "text:nato@942-946; text:weapons@988-995; text:lethal aid@1800-1810; "
                "text:arms@3406-3410; text:nato@3411-3415; text:weapons@4191-4198; "
                "text:lethal aid@4318-4328; text:arms@4416-4420; text:arms@4584-4588; "
                "text:nato@4595-4599; text:nato@4651-4655; text:arms@5060-5064; "
                "text:lethal aid@5815-5825; text:nato@6632-6636; text:lethal aid@7403-7413"
            ),
            (
                "…**lethal aid** next the ministers tuesday the the officials would week capita"
                "l. Officials Stoltenberg **arms** would week capital met to budget harvest sai"
                "d continue in the on discuss and, China in the on discuss and while talks next"
                " the ministers tuesday the the officials **arms** would **NATO**…"
            ),
        ),
        (
            "prefix",
            (
                "text:beijing@169-176; text:chin*@963-968; text:weapon*@988-995; "
                "text:chin*@2627-2632; text:weapon*@4191-4198; text:beijing@4199-4206; "
                "text:chin*@4499-4504; text:beijing@5826-5833; text:chin*@6657-6662"
            ),
            (
                "…the officials would week capital. Capital met to budget harvest said continue"
                " in the on discuss and, Discuss NATO and while talks **China** next the minist"
                "ers **weapons** tuesday the the officials would week; Officials would week cap"
                "ital met to budget harvest said continue in the on discuss. In the…"
            ),
        ),
        (
            "proximity",
            (
                "text:china@963-968; text:weapons@988-995; text:arms@3406-3410; "
                "text:nato@3411-3415; text:arms@4584-4588; text:nato@4595-4599"
            ),
            (
                "…the officials would week capital. Capital met to budget harvest said continue"
                " in the on discuss and, Discuss NATO and while talks **China** next the minist"
                "ers **weapons** tuesday the the officials would week; Officials would week cap"
                "ital met to budget harvest said continue in the on discuss. In the…"
            ),
        ),
        (
            "not-only",
            "",
            (
                "The on discuss and while talks next the. The the officials would week capital "
                "met to budget, Said continue in the on discuss and while talks next; The minis"
                "ters tuesday Beijing the the officials would week capital met to. To budget ha"
                "rvest said continue in the on discuss and while talks, While talks…"
            ),
        ),
        (
            "or-default",
            (
                "text:nato@942-946; text:china@963-968; text:weapons@988-995; "
                "text:china@2627-2632; text:nato@3411-3415; text:weapons@4191-4198; "
                "text:china@4499-4504; text:nato@4595-4599; text:nato@4651-4655; "
                "text:nato@6632-6636; text:china@6657-6662"
            ),
            (
                "…tuesday the the officials would week capital. Capital met to budget harvest s"
                "aid continue in the on discuss and, Discuss **NATO** and while talks **China**"
                " next the ministers **weapons** tuesday the the officials would week; Official"
                "s would week capital met to budget harvest said continue in the on…"
            ),
        ),
        (
            "overlap",
            (
                "text:lethal@1800-1806; text:lethal aid@1800-1810; text:aid@1807-1810; "
                "text:lethal@4318-4324; text:lethal aid@4318-4328; text:aid@4325-4328; "
                "text:lethal@5815-5821; text:lethal aid@5815-5825; text:aid@5822-5825; "
                "text:lethal@7403-7409; text:lethal aid@7403-7413; text:aid@7410-7413"
            ),
            (
                "…officials; The the officials would week capital met to budget harvest said co"
                "ntinue in the. Said continue in the on discuss and while talks next **lethal a"
                "id** the ministers tuesday Stoltenberg the the, The ministers tuesday the the "
                "officials would week capital met to budget harvest said continue…"
            ),
        ),
        (
            "ministers",
            (
                "title:ministers@0-9; text:budget@85-91; text:ministers@151-160; "
                "text:budget@225-231; text:harvest@232-239; text:ministers@310-319; "
                "text:budget@391-397; text:harvest@398-405; text:ministers@485-494; "
                "text:budget@581-587; text:harvest@588-595; text:ministers@677-686; "
                "text:budget@737-743; text:harvest@744-751; text:ministers@811-820; "
                "text:budget@882-888; text:harvest@889-896; text:ministers@978-987; "
                "text:budget@1070-1076; text:harvest@1077-1084; text:ministers@1161-1170; "
                "text:budget@1256-1262; text:harvest@1263-1270; text:harvest@1297-1304; "
                "text:ministers@1351-1360; text:budget@1406-1412; text:harvest@1413-1420; "
                "text:ministers@1479-1488; text:budget@1548-1554; text:harvest@1555-1562; "
                "text:ministers@1628-1637; text:budget@1710-1716; text:harvest@1717-1724; "
                "text:ministers@1815-1824; text:ministers@1858-1867; text:budget@1920-1926; "
                "text:harvest@1927-1934; text:budget@1956-1962; text:harvest@1963-1970; "
                "text:ministers@2017-2026; text:budget@2074-2080; text:harvest@2081-2088; "
                "text:ministers@2148-2157; text:budget@2215-2221; text:harvest@2222-2229; "
                "text:ministers@2300-2309; text:ministers@2323-2332; text:budget@2385-2391; "
                "text:harvest@2392-2399; text:budget@2415-2421; text:harvest@2422-2429; "
                "text:ministers@2487-2496; text:ministers@2521-2530; text:budget@2583-2589; "
                "text:harvest@2590-2597; text:budget@2620-2626; text:harvest@2633-2640; "
                "text:ministers@2692-2701; text:budget@2751-2757; text:harvest@2758-2765; "
                "text:ministers@2824-2833; text:budget@2895-2901; text:harvest@2902-2909; "
                "text:harvest@2916-2923; text:ministers@2981-2990; text:ministers@3002-3011; "
                "text:budget@3064-3070; text:harvest@3071-3078; text:budget@3087-3093; "
                "text:harvest@3094-3101; text:ministers@3185-3194; text:budget@3247-3253; "
                "text:budget@3281-3287; text:harvest@3288-3295; text:ministers@3342-3351; "
                "text:budget@3419-3425; text:harvest@3426-3433; text:ministers@3498-3507; "
                "text:budget@3560-3566; text:budget@3571-3577; text:harvest@3578-3585; "
                "text:ministers@3661-3670; text:budget@3744-3750; text:harvest@3751-3758; "
                "text:ministers@3844-3853; text:budget@3945-3951; text:ministers@4002-4011; "
                "text:budget@4065-4071; text:harvest@4072-4079; text:ministers@4144-4153; "
                "text:budget@4235-4241; text:harvest@4242-4249; text:ministers@4338-4347; "
                "text:budget@4447-4453; text:harvest@4454-4461; text:ministers@4548-4557; "
                "text:harvest@4661-4668; text:ministers@4721-4730; text:budget@4785-4791; "
                "text:harvest@4792-4799; text:ministers@4862-4871; text:budget@4936-4942; "
                "text:harvest@4943-4950; text:ministers@5024-5033; text:budget@5116-5122; "
                "text:harvest@5123-5130; text:ministers@5213-5222; text:ministers@5255-5264; "
                "text:budget@5306-5312; text:harvest@5313-5320; text:ministers@5375-5384; "
                "text:budget@5438-5444; text:harvest@5445-5452; text:ministers@5514-5523; "
                "text:budget@5591-5597; text:harvest@5598-5605; text:ministers@5681-5690; "
                "text:ministers@5708-5717; text:budget@5770-5776; text:harvest@5777-5784; "
                "text:budget@5834-5840; text:harvest@5841-5848; text:ministers@5906-5915; "
                "text:ministers@5944-5953; text:budget@5996-6002; text:harvest@6003-6010; "
                "text:ministers@6066-6075; text:budget@6130-6136; text:harvest@6137-6144; "
                "text:ministers@6206-6215; text:budget@6281-6287; text:harvest@6288-6295; "
                "text:harvest@6311-6318; text:ministers@6376-6385; text:ministers@6404-6413; "
                "text:budget@6466-6472; text:harvest@6473-6480; text:budget@6494-6500; "
                "text:harvest@6501-6508; text:ministers@6566-6575; text:ministers@6603-6612; "
                "text:budget@6663-6669; text:harvest@6670-6677; text:ministers@6733-6742; "
                "text:budget@6796-6802; text:harvest@6803-6810; text:ministers@6874-6883; "
                "text:ministers@6889-6898; text:budget@6951-6957; text:harvest@6958-6965; "
                "text:budget@6971-6977; text:harvest@6978-6985; text:ministers@7065-7074; "
                "text:budget@7127-7133; text:budget@7155-7161; text:harvest@7162-7169; "
                "text:ministers@7260-7269; text:budget@7311-7317; text:harvest@7318-7325; "
                "text:ministers@7381-7390; text:budget@7454-7460; text:budget@7462-7468; "
                "text:harvest@7469-7476; text:ministers@7546-7555; text:budget@7624-7630; "
                "text:harvest@7631-7638; text:ministers@7721-7730; text:budget@7817-7823; "
                "text:harvest@7824-7831"
            ),
            (
                "…to **budget** **harvest** said continue. **Budget** **harvest** said continue"
                " in the on discuss and while talks next the **ministers** tuesday, Talks next "
                "the **ministers** tuesday the the officials would week capital met to **budget"
                "** **harvest** said; Capital met to **budget** China **harvest**…"
            ),
        ),
        (
            "giant",
            (
                "text:china@963-968; text:china@2627-2632; text:arms*@3406-3410; "
                "text:arms*@4416-4420; text:china@4499-4504; text:arms*@4584-4588; "
                "text:arms*@5060-5064; text:china@6657-6662"
            ),
            (
                "…the the officials would week capital. Officials Stoltenberg **arms** would we"
                "ek capital met to budget harvest said continue in the on discuss and, **China*"
                "* in the on discuss and while talks next the ministers tuesday the the officia"
                "ls **arms** would NATO week; Tuesday the the officials would week…"
            ),
        ),
    ],
    "unicode": [
        (
            "words",
            (
                "title:otan@2-6; title:chine@13-18; text:otan@2-6; text:chine@23-28; "
                "text:pekin@51-56; text:nato@122-126; text:china@127-132; text:nato@233-237; "
                "text:china@238-243; text:otan@648-652; text:chine@654-659; text:otan@670-674"
            ),
            (
                "L’**OTAN** s’inquiète : la **Chine** livrerait des armes. **Pékin** dément ; ½"
                " des stocks, ﬁre and ﬁrearms. Voir https://example.org/**nato**-**china**-weap"
                "ons-report-2024/annex/very-long-path-segment-for-testing?q=arms&lang=fr pour l"
                "es détails. Café **NATO** **China** weapons Le conseil a débattu…"
            ),
        ),
        (
            "arms",
            (
                "title:otan@2-6; text:otan@2-6; text:armes@43-48; text:nato@122-126; "
                "text:weapons@133-140; text:arms@196-200; text:nato@233-237; "
                "text:weapons@244-251; text:otan@648-652; text:armes@661-666; text:otan@670-674"
            ),
            (
                "L’**OTAN** s’inquiète : la Chine livrerait des **armes**. Pékin dément ; ½ des"
                " stocks, ﬁre and ﬁrearms. Voir https://example.org/**nato**-china-**weapons**-"
                "report-2024/annex/very-long-path-segment-for-testing?q=**arms**&lang=fr pour l"
                "es détails. Café **NATO** China **weapons** Le conseil a débattu…"
            ),
        ),
        (
            "prefix",
            (
                "title:chin*@13-18; text:chin*@23-28; text:chin*@127-132; "
                "text:weapon*@133-140; text:chin*@238-243; text:weapon*@244-251; "
                "text:chin*@654-659"
            ),
            (
                "L’OTAN s’inquiète : la **Chine** livrerait des armes. Pékin dément ; ½ des sto"
                "cks, ﬁre and ﬁrearms. Voir https://example.org/nato-**china**-**weapons**-repo"
                "rt-2024/annex/very-long-path-segment-for-testing?q=arms&lang=fr pour les détai"
                "ls. Café NATO **China** **weapons** Le conseil a débattu…"
            ),
        ),
        (
            "proximity",
            ("text:china@127-132; text:weapons@133-140; text:china@238-243; text:weapons@244-251"),
            (
                "…des armes. Pékin dément ; ½ des stocks, ﬁre and ﬁrearms. Voir https://example"
                ".org/nato-**china**-**weapons**-report-2024/annex/very-long-path-segment-for-t"
                "esting?q=arms&lang=fr pour les détails. Café NATO **China** **weapons** Le co"
                "nseil a débattu longuement. Le conseil a débattu longuement. Le…"
            ),
        ),
        (
            "text-scope",
            (
                "title:chine@13-18; text:otan@2-6; text:nato@122-126; text:nato@233-237; "
                "text:otan@648-652; text:otan@670-674"
            ),
            (
                "L’**OTAN** s’inquiète : la Chine livrerait des armes. Pékin dément ; ½ des sto"
                "cks, ﬁre and ﬁrearms. Voir https://example.org/**nato**-china-weapons-report-2"
                "024/annex/very-long-path-segment-for-testing?q=arms&lang=fr pour les détails. "
                "Café **NATO** China weapons Le conseil a débattu longuement. Le…"
            ),
        ),
        (
            "not-only",
            "",
            (
                "L’OTAN s’inquiète : la Chine livrerait des armes. Pékin dément ; ½ des stocks,"
                " ﬁre and ﬁrearms. Voir https://example.org/nato-china-weapons-report-2024/anne"
                "x/very-long-path-segment-for-testing?q=arms&lang=fr pour les détails. Café NA"
                "TO China weapons Le conseil a débattu longuement. Le conseil a…"
            ),
        ),
        (
            "or-default",
            (
                "text:nato@122-126; text:china@127-132; text:weapons@133-140; "
                "text:nato@233-237; text:china@238-243; text:weapons@244-251"
            ),
            (
                "…armes. Pékin dément ; ½ des stocks, ﬁre and ﬁrearms. Voir https://example.org"
                "/**nato**-**china**-**weapons**-report-2024/annex/very-long-path-segment-for-t"
                "esting?q=arms&lang=fr pour les détails. Café **NATO** **China** **weapons** L"
                "e conseil a débattu longuement. Le conseil a débattu longuement. Le…"
            ),
        ),
        (
            "fractions",
            "text:1 2@66-67; text:fire@80-83; text:firearms@88-95; text:cafe@227-232",
            (
                "…s’inquiète : la Chine livrerait des armes. Pékin dément ; **½** des stocks, *"
                "*ﬁre** and **ﬁrearms**. Voir https://example.org/nato-china-weapons-report-202"
                "4/annex/very-long-path-segment-for-testing?q=arms&lang=fr pour les détails. **"
                "Café** NATO China weapons Le conseil a débattu longuement. Le…"
            ),
        ),
        (
            "giant",
            "text:china@127-132; text:arms*@196-200; text:china@238-243",
            (
                "…livrerait des armes. Pékin dément ; ½ des stocks, ﬁre and ﬁrearms. Voir https"
                "://example.org/nato-**china**-weapons-report-2024/annex/very-long-path-segment"
                "-for-testing?q=**arms**&lang=fr pour les détails. Café NATO **China** weapons"
                " Le conseil a débattu longuement. Le conseil a débattu longuement.…"
            ),
        ),
        (
            "long-phrase",
            "text:nato china weapons@122-140; text:nato china weapons@233-251",
            (
                "…livrerait des armes. Pékin dément ; ½ des stocks, ﬁre and ﬁrearms. Voir https"
                "://example.org/**nato-china-weapons**-report-2024/annex/very-long-path-segment"
                "-for-testing?q=arms&lang=fr pour les détails. Café **NATO China weapons** Le "
                "conseil a débattu longuement. Le conseil a débattu longuement. Le…"
            ),
        ),
    ],
    "unspaced": [
        (
            "words",
            "text:nato@401-405; text:china@406-411",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 **NAT"
                "O** **China** weapons 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "arms",
            "text:nato@401-405; text:weapons@412-419",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 **NAT"
                "O** China **weapons** 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "prefix",
            "text:chin*@406-411; text:weapon*@412-419",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 NATO **Chi"
                "na** **weapons** 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "proximity",
            "text:china@406-411; text:weapons@412-419",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 NATO **Chi"
                "na** **weapons** 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "not-only",
            "",
            (
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "or-default",
            "text:nato@401-405; text:china@406-411; text:weapons@412-419",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 **NAT"
                "O** **China** **weapons** 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "giant",
            "text:china@406-411",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 NATO **Chi"
                "na** weapons 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
        (
            "long-phrase",
            "text:nato china weapons@401-419",
            (
                "…长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长 **NAT"
                "O China weapons** 长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长…"
            ),
        ),
    ],
    "giant-word": [
        (
            "words",
            "title:nato@0-4; text:nato@121-125; text:china@487-492; text:nato@571-575",
            (
                "…rmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms **China** weapons yyyyyyyyyyyyyyy"
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy and more **NATO**."
            ),
        ),
        (
            "arms",
            "title:nato@0-4; text:nato@121-125; text:weapons@493-500; text:nato@571-575",
            (
                "…sarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarms China **weapons** yyyyyyyyyyyyyyyyyyyyy"
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy and more **NATO**."
            ),
        ),
        (
            "prefix",
            "text:chin*@487-492; text:weapon*@493-500",
            (
                "…rmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms **China** **weapons** yyyyyyyyyyy"
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy and more NATO."
            ),
        ),
        (
            "proximity",
            "text:china@487-492; text:weapons@493-500",
            (
                "…rmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms **China** **weapons** yyyyyyyyyyy"
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy and more NATO."
            ),
        ),
        (
            "title-scope",
            "title:nato@0-4; text:china@487-492",
            (
                "…rmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms **China** weapons yyyyyyyyyyyyyyy"
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy and more NATO."
            ),
        ),
        (
            "not-only",
            "",
            (
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx NATO armsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsar…"
            ),
        ),
        (
            "or-default",
            (
                "title:nato@0-4; text:nato@121-125; text:china@487-492; text:weapons@493-500; "
                "text:nato@571-575"
            ),
            (
                "…sarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarms **Chi"
                "na** **weapons** yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy "
                "and more **NATO**."
            ),
        ),
        (
            "giant",
            "text:x*@0-120; text:arms*@126-486; text:china@487-492",
            (
                "**xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx** NATO **armsarmsarmsarmsarmsarms"
                "armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar"
                "msarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsar**…"
            ),
        ),
    ],
    "title-only": [
        (
            "words",
            "title:nato@0-4; title:china@15-20",
            "**NATO** summit on **China** weapons",
        ),
        (
            "arms",
            "title:nato@0-4; title:weapons@21-28",
            "**NATO** summit on China **weapons**",
        ),
        (
            "prefix",
            "title:chin*@15-20; title:weapon*@21-28",
            "NATO summit on **China** **weapons**",
        ),
        (
            "proximity",
            "title:china@15-20; title:weapons@21-28",
            "NATO summit on **China** **weapons**",
        ),
        (
            "title-scope",
            "title:nato@0-4; title:china@15-20",
            "**NATO** summit on **China** weapons",
        ),
        (
            "not-only",
            "",
            "NATO summit on China weapons",
        ),
        (
            "or-default",
            "title:nato@0-4; title:china@15-20; title:weapons@21-28",
            "**NATO** summit on **China** **weapons**",
        ),
        (
            "giant",
            "title:china@15-20",
            "NATO summit on **China** weapons",
        ),
    ],
    "blank-text": [
        (
            "words",
            "title:nato@0-4; title:china@9-14",
            "**NATO** and **China**",
        ),
        (
            "title-scope",
            "title:nato@0-4; title:china@9-14",
            "**NATO** and **China**",
        ),
        (
            "not-only",
            "",
            "NATO and China",
        ),
        (
            "or-default",
            "title:nato@0-4; title:china@9-14",
            "**NATO** and **China**",
        ),
        (
            "giant",
            "title:china@9-14",
            "NATO and **China**",
        ),
    ],
    "short": [
        (
            "words",
            "text:nato@0-4; text:china@5-10",
            "**NATO** **China** weapons",
        ),
        (
            "arms",
            "text:nato@0-4; text:weapons@11-18",
            "**NATO** China **weapons**",
        ),
        (
            "prefix",
            "text:chin*@5-10; text:weapon*@11-18",
            "NATO **China** **weapons**",
        ),
        (
            "proximity",
            "text:china@5-10; text:weapons@11-18",
            "NATO **China** **weapons**",
        ),
        (
            "not-only",
            "",
            "NATO China weapons",
        ),
        (
            "or-default",
            "text:nato@0-4; text:china@5-10; text:weapons@11-18",
            "**NATO** **China** **weapons**",
        ),
        (
            "giant",
            "text:china@5-10",
            "NATO **China** weapons",
        ),
        (
            "long-phrase",
            "text:nato china weapons@0-18",
            "**NATO China weapons**",
        ),
    ],
}

EXPECTED_SNIPPETS: list[str] = [
    "**NATO**’s secretary general Jens…",
    "**NATO**’s…",
    "NATO’**s secretary general J**…",
    "…weapons, weapo**nry and arms exports**, while Chinese…",
    "…components, machine too**ls and dual-use goods. The al**liance said Beijing’s…",
    "…com…",
    "NATO’s secretary general Jens Stoltenberg warned…",
    (
        "…the the officials would week capital met; The officials would week capital met to bud"
        "get. Continue in the on discuss and while talks next**, Minister**s tuesday the the of"
        "ficials would week capital met to; Budget harvest said continue in the on discuss and "
        "while talks. Talks next the ministers…"
    ),
    (
        "T**he **on discuss and while talks next the. The the officials would week capital met "
        "to budget,…"
    ),
    "…https://example.org/nato-china-weapons-report-20**24/ann**…",
    "…/annex/very-l**ong**-path-segment-for-testing…",
    "…**NAT**O** Chin**a weapons…",
    (
        "…**armsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarm"
        "sarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsa"
        "rmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarmsarm"
        "sarmsarmsarmsarmsarmsarmsarmsarmsarms**…"
    ),
    (
        "**xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxx**…"
    ),
]


def _encode(terms: Iterable[MatchedTerm]) -> str:
    return "; ".join(f"{t.field}:{t.term}@{t.start}-{t.end}" for t in terms)


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_terms_and_snippets_are_unchanged(name: str) -> None:
    title, text = DOCUMENTS[name]
    found = TopicMatcher(TOPICS).match(title, text)
    assert [(m.topic, _encode(m.terms), m.snippet) for m in found] == EXPECTED_MATCHES[name]


def test_results_are_the_same_with_and_without_the_prefilter() -> None:
    for title, text in DOCUMENTS.values():
        assert TopicMatcher(TOPICS).match(title, text) == TopicMatcher(
            TOPICS, prefilter=False
        ).match(title, text)


def test_queries_sharing_one_document_give_the_same_terms() -> None:
    """Term occurrences cached on a Document do not leak from one query into another."""
    queries = [(topic.name, parse_query(topic.query, topic.default_operator)) for topic in TOPICS]
    for name, (title, text) in DOCUMENTS.items():
        document = Document(title, text)
        expected = {topic: terms for topic, terms, _ in EXPECTED_MATCHES[name]}
        for topic, query in reversed(queries):  # not the order the matcher uses
            found = _encode(query.matched_terms(document)) if query.evaluate(document) else None
            assert found == expected.get(topic), (name, topic)


@pytest.mark.parametrize(
    ("case", "expected"), list(zip(SNIPPET_SPANS, EXPECTED_SNIPPETS, strict=True))
)
def test_make_snippet_is_unchanged(
    case: tuple[str, list[tuple[int, int, str]], int], expected: str
) -> None:
    name, spans, limit = case
    assert make_snippet(DOCUMENTS[name][1], spans, limit) == expected
