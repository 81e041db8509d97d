"""Korean particles chosen by the word before them (legal_aid.documents.korean)."""

import pytest

from legal_aid.documents.korean import particles


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("어머니 B, 나이 40~49세은(는) 구금되어 있다.", "어머니 B, 나이 40~49세는 구금되어 있다."),
        ("한미영은(는) 아동의 어머니이다.", "한미영은 아동의 어머니이다."),
        ("아동 C이(가) 거부당했다.", "아동 C가 거부당했다."),
        ("호적 등록을(를) 신청하였다.", "호적 등록을 신청하였다."),
        ("학교을(를) 신청하였다.", "학교를 신청하였다."),
        ("사례 2024-13은(는) 종결되었다.", "사례 2024-13은 종결되었다."),
        ("사례 2024-12은(는) 종결되었다.", "사례 2024-12는 종결되었다."),
        ("“의료”을(를) 거부당했다.", "“의료”를 거부당했다."),
        ("서울(으)로 갔다.", "서울로 갔다."),
        ("부산(으)로 갔다.", "부산으로 갔다."),
        ("사람 L이(가) 왔다.", "사람 L이 왔다."),
        ("괄호 없는 문장.", "괄호 없는 문장."),
    ],
)
def test_the_particle_follows_the_last_syllable(written, printed):
    """받침 decides 은/는, 이/가, 을/를; ㄹ takes 로; digits and Latin letters are read aloud."""
    assert particles(written) == printed
