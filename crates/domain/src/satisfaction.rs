//! Satisfaction (seed 002): after a request is resolved its requester rates, from 1 to 5, the
//! handling of the request, the clarity of the procedure and the closure, and may comment. One
//! answer per ticket, which the requester may change until the organization's edit window
//! closes; an answer with any dimension at or below the organization's threshold asks a team
//! lead to follow the ticket up.
//!
//! Everything here is a pure rule: the clock comes in as `now`, the raw form values as strings.

use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

/// The longest comment kept with an answer.
pub const COMMENT_MAX_CHARS: usize = 2_000;

/// The longest edit window an organization may set: a year, so that a typo of extra zeros is
/// refused instead of leaving every answer open for ever.
pub const MAX_EDIT_WINDOW_HOURS: i64 = 24 * 366;

/// One score, 1 (very dissatisfied) to 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScoreError {
    #[error("no score was chosen")]
    Missing,
    #[error("'{0}' is not a score; choose a whole number from 1 to 5")]
    NotANumber(String),
    #[error("{0} is not a score; choose a whole number from 1 to 5")]
    OutOfRange(i64),
}

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(value: i64) -> Result<Score, ScoreError> {
        u8::try_from(value)
            .ok()
            .filter(|value| (Self::MIN..=Self::MAX).contains(value))
            .map(Score)
            .ok_or(ScoreError::OutOfRange(value))
    }

    /// Parses a typed or submitted score; Arabic-Indic digits are accepted, since a requester
    /// may type them on an Arabic keyboard.
    pub fn parse(raw: &str) -> Result<Score, ScoreError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ScoreError::Missing);
        }
        let western: String = trimmed
            .chars()
            .map(|c| match c {
                '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
                _ => c,
            })
            .collect();
        let value: i64 = western
            .parse()
            .map_err(|_| ScoreError::NotANumber(trimmed.to_owned()))?;
        Score::new(value)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

string_enum! {
    /// The parts of an answer, as named in forms, errors and reports.
    pub enum AnswerField: "satisfaction answer field" {
        /// How the request was handled.
        Handling => "handling",
        /// How clear the procedure was.
        Clarity => "clarity",
        /// How the request was closed.
        Closure => "closure",
        Comment => "comment",
    }
}

/// A complete answer: three scores and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionAnswer {
    pub handling: Score,
    pub clarity: Score,
    pub closure: Score,
    /// Trimmed; `None` when the requester wrote nothing.
    pub comment: Option<String>,
}

impl SatisfactionAnswer {
    /// The answer's overall figure: the mean of the three scores rounded to the nearest whole
    /// score (a mean of three never falls on a half). Stored as the answer's `score`, so the
    /// single-score figures of earlier answers stay comparable.
    pub fn overall(&self) -> Score {
        let sum =
            u32::from(self.handling.0) + u32::from(self.clarity.0) + u32::from(self.closure.0);
        // round(sum / 3) = floor((2 * sum + 3) / 6) for positive sums.
        Score(((2 * sum + 3) / 6) as u8)
    }

    /// The lowest of the three scores.
    pub fn lowest(&self) -> Score {
        self.handling.min(self.clarity).min(self.closure)
    }

    pub fn score(&self, field: AnswerField) -> Option<Score> {
        match field {
            AnswerField::Handling => Some(self.handling),
            AnswerField::Clarity => Some(self.clarity),
            AnswerField::Closure => Some(self.closure),
            AnswerField::Comment => None,
        }
    }
}

/// What is wrong with one field of a submitted answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerProblem {
    #[error(transparent)]
    Score(#[from] ScoreError),
    #[error("the comment is {length} characters long; at most {max} are allowed")]
    CommentTooLong { length: usize, max: usize },
    #[error("the comment contains a control character")]
    CommentControlCharacter,
}

/// Every problem of a submitted answer, so a form can mark all the fields at once.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", .0.iter().map(|(field, problem)| format!("{field}: {problem}")).collect::<Vec<_>>().join("; "))]
pub struct AnswerErrors(pub Vec<(AnswerField, AnswerProblem)>);

impl AnswerErrors {
    pub fn fields(&self) -> impl Iterator<Item = AnswerField> + '_ {
        self.0.iter().map(|(field, _)| *field)
    }
}

/// An answer as submitted: the raw values of the form's fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawSatisfactionAnswer<'a> {
    pub handling: &'a str,
    pub clarity: &'a str,
    pub closure: &'a str,
    pub comment: &'a str,
}

fn parse_comment(raw: &str) -> Result<Option<String>, AnswerProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let length = trimmed.chars().count();
    if length > COMMENT_MAX_CHARS {
        return Err(AnswerProblem::CommentTooLong {
            length,
            max: COMMENT_MAX_CHARS,
        });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AnswerProblem::CommentControlCharacter);
    }
    Ok(Some(trimmed.to_owned()))
}

impl TryFrom<RawSatisfactionAnswer<'_>> for SatisfactionAnswer {
    type Error = AnswerErrors;

    fn try_from(raw: RawSatisfactionAnswer<'_>) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let mut score = |field, value: &str| {
            Score::parse(value)
                .map_err(|error| errors.push((field, AnswerProblem::from(error))))
                .ok()
        };
        let handling = score(AnswerField::Handling, raw.handling);
        let clarity = score(AnswerField::Clarity, raw.clarity);
        let closure = score(AnswerField::Closure, raw.closure);
        let comment = parse_comment(raw.comment)
            .map_err(|problem| errors.push((AnswerField::Comment, problem)))
            .ok();
        match (handling, clarity, closure, comment) {
            (Some(handling), Some(clarity), Some(closure), Some(comment)) if errors.is_empty() => {
                Ok(SatisfactionAnswer {
                    handling,
                    clarity,
                    closure,
                    comment,
                })
            }
            _ => Err(AnswerErrors(errors)),
        }
    }
}

/// An organization's rules for answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingRules {
    /// How long after the first answer the requester may still change it, in hours.
    pub edit_window_hours: i64,
    /// An answer with any score at or below this asks for a follow-up; 0 never does.
    pub follow_up_at_or_below: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RatingRulesError {
    #[error("the edit window is {0} hours; it must be from 0 to {MAX_EDIT_WINDOW_HOURS} hours")]
    EditWindow(i64),
    #[error("the follow-up threshold is {0}; it must be from 0 (never) to 5")]
    Threshold(i64),
}

impl RatingRules {
    /// The defaults of a new organization (and of the migration): three days to change an
    /// answer, a follow-up for any score of 2 or less.
    pub const DEFAULT: RatingRules = RatingRules {
        edit_window_hours: 72,
        follow_up_at_or_below: 2,
    };

    pub fn new(
        edit_window_hours: i64,
        follow_up_at_or_below: i64,
    ) -> Result<RatingRules, Vec<RatingRulesError>> {
        let mut errors = Vec::new();
        if !(0..=MAX_EDIT_WINDOW_HOURS).contains(&edit_window_hours) {
            errors.push(RatingRulesError::EditWindow(edit_window_hours));
        }
        let threshold = u8::try_from(follow_up_at_or_below)
            .ok()
            .filter(|value| *value <= Score::MAX);
        if threshold.is_none() {
            errors.push(RatingRulesError::Threshold(follow_up_at_or_below));
        }
        match threshold {
            Some(follow_up_at_or_below) if errors.is_empty() => Ok(RatingRules {
                edit_window_hours,
                follow_up_at_or_below,
            }),
            _ => Err(errors),
        }
    }

    /// When an answer first given at `answered_at` stops being editable.
    pub fn edit_window_closes(&self, answered_at: Timestamp) -> Timestamp {
        answered_at
            .checked_add(SignedDuration::from_hours(self.edit_window_hours))
            .unwrap_or(Timestamp::MAX)
    }

    /// Whether an answer first given at `answered_at` may still be changed at `now`. The
    /// window is closed at its closing instant.
    pub fn may_edit(&self, answered_at: Timestamp, now: Timestamp) -> bool {
        now < self.edit_window_closes(answered_at)
    }

    /// Whether an answer calls for a team lead's follow-up: any of its scores at or below the
    /// threshold.
    pub fn follow_up_due(&self, answer: &SatisfactionAnswer) -> bool {
        answer.lowest().get() <= self.follow_up_at_or_below
    }
}

impl Default for RatingRules {
    fn default() -> Self {
        RatingRules::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(handling: u8, clarity: u8, closure: u8) -> SatisfactionAnswer {
        SatisfactionAnswer {
            handling: Score::new(handling.into()).unwrap(),
            clarity: Score::new(clarity.into()).unwrap(),
            closure: Score::new(closure.into()).unwrap(),
            comment: None,
        }
    }

    #[test]
    fn scores_parse_from_one_to_five() {
        let table: &[(&str, Result<u8, ScoreError>)] = &[
            ("1", Ok(1)),
            (" 5 ", Ok(5)),
            ("٣", Ok(3)),
            ("", Err(ScoreError::Missing)),
            ("   ", Err(ScoreError::Missing)),
            ("0", Err(ScoreError::OutOfRange(0))),
            ("6", Err(ScoreError::OutOfRange(6))),
            ("-1", Err(ScoreError::OutOfRange(-1))),
            ("٩", Err(ScoreError::OutOfRange(9))),
            ("3.5", Err(ScoreError::NotANumber("3.5".into()))),
            ("five", Err(ScoreError::NotANumber("five".into()))),
            (
                "99999999999999999999",
                Err(ScoreError::NotANumber("99999999999999999999".into())),
            ),
        ];
        for (raw, expected) in table {
            assert_eq!(
                Score::parse(raw).map(Score::get),
                *expected,
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn overall_is_the_rounded_mean() {
        let table = [
            ((1, 1, 1), 1),
            ((1, 1, 2), 1),
            ((1, 2, 2), 2),
            ((2, 2, 3), 2),
            ((3, 4, 4), 4),
            ((4, 4, 5), 4),
            ((4, 5, 5), 5),
            ((5, 5, 5), 5),
            ((1, 5, 5), 4),
            ((1, 1, 5), 2),
            ((1, 3, 5), 3),
        ];
        for ((h, c, l), expected) in table {
            assert_eq!(answer(h, c, l).overall().get(), expected, "{h} {c} {l}");
        }
    }

    #[test]
    fn raw_answers_report_every_field_error() {
        let ok = SatisfactionAnswer::try_from(RawSatisfactionAnswer {
            handling: "5",
            clarity: "٤",
            closure: "3",
            comment: "  شكراً على المتابعة  ",
        })
        .unwrap();
        assert_eq!(
            ok,
            SatisfactionAnswer {
                comment: Some("شكراً على المتابعة".into()),
                ..answer(5, 4, 3)
            }
        );
        let no_comment = SatisfactionAnswer::try_from(RawSatisfactionAnswer {
            handling: "1",
            clarity: "1",
            closure: "1",
            comment: " \n ",
        })
        .unwrap();
        assert_eq!(no_comment.comment, None);

        let long = "ب".repeat(COMMENT_MAX_CHARS + 1);
        let table: Vec<(RawSatisfactionAnswer<'_>, Vec<AnswerField>)> = vec![
            (
                RawSatisfactionAnswer::default(),
                vec![
                    AnswerField::Handling,
                    AnswerField::Clarity,
                    AnswerField::Closure,
                ],
            ),
            (
                RawSatisfactionAnswer {
                    handling: "0",
                    clarity: "2",
                    closure: "x",
                    comment: &long,
                },
                vec![
                    AnswerField::Handling,
                    AnswerField::Closure,
                    AnswerField::Comment,
                ],
            ),
            (
                RawSatisfactionAnswer {
                    handling: "2",
                    clarity: "2",
                    closure: "2",
                    comment: "bell\u{7}",
                },
                vec![AnswerField::Comment],
            ),
        ];
        for (raw, fields) in table {
            let errors = SatisfactionAnswer::try_from(raw).unwrap_err();
            assert_eq!(errors.fields().collect::<Vec<_>>(), fields, "{raw:?}");
            assert!(!errors.to_string().is_empty());
        }
    }

    #[test]
    fn the_edit_window_closes_at_its_instant() {
        let answered: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        let rules = RatingRules::new(72, 2).unwrap();
        let table = [
            ("2026-11-22T09:00:00Z", true),
            ("2026-11-25T08:59:59Z", true),
            ("2026-11-25T09:00:00Z", false),
            ("2026-12-01T00:00:00Z", false),
        ];
        for (now, open) in table {
            assert_eq!(
                rules.may_edit(answered, now.parse().unwrap()),
                open,
                "{now}"
            );
        }
        assert_eq!(
            rules.edit_window_closes(answered),
            "2026-11-25T09:00:00Z".parse::<Timestamp>().unwrap()
        );
        // A window of nothing never lets an answer change.
        let none = RatingRules::new(0, 2).unwrap();
        assert!(!none.may_edit(answered, answered));
    }

    #[test]
    fn a_follow_up_is_due_when_any_score_is_at_or_below_the_threshold() {
        let table = [
            (2, (5, 5, 2), true),
            (2, (3, 3, 3), false),
            (2, (1, 5, 5), true),
            (3, (4, 3, 5), true),
            (0, (1, 1, 1), false),
            (5, (5, 5, 5), true),
        ];
        for (threshold, (h, c, l), due) in table {
            let rules = RatingRules::new(72, threshold).unwrap();
            assert_eq!(
                rules.follow_up_due(&answer(h, c, l)),
                due,
                "{threshold}: {h} {c} {l}"
            );
        }
    }

    #[test]
    fn rules_are_checked_together() {
        assert_eq!(RatingRules::new(72, 2), Ok(RatingRules::DEFAULT));
        assert_eq!(
            RatingRules::new(-1, 6),
            Err(vec![
                RatingRulesError::EditWindow(-1),
                RatingRulesError::Threshold(6)
            ])
        );
        assert_eq!(
            RatingRules::new(MAX_EDIT_WINDOW_HOURS + 1, 0),
            Err(vec![RatingRulesError::EditWindow(
                MAX_EDIT_WINDOW_HOURS + 1
            )])
        );
    }
}
