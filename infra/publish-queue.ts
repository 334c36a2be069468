import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Receives after which a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** Messages the consumer receives per invocation. */
export const CONSUMER_BATCH_SIZE = 10;

/** Retention of the publish queue, the SQS default. */
export const QUEUE_RETENTION = Duration.days(4);

/**
 * Retention of the dead-letter queue, the SQS maximum. SQS counts retention from a message's first enqueue
 * time, so it must be longer than the publish queue's retention or moved messages expire early.
 */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * AWS guidance for SQS event sources (AWS Lambda Developer Guide): a queue's visibility timeout is at least 6 times
 * the function timeout, which leaves Lambda time to retry when the function is throttled on a previous batch.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface PublishQueueProps {
  /** Function that receives the messages; its timeout sets the queue's visibility timeout. */
  readonly consumer: lambda.Function;
}

/**
 * SQS queue whose messages the consumer publishes as posts, with a dead-letter queue and an alarm on its depth.
 * Both queues use SQS-managed encryption and reject requests without TLS.
 */
export class PublishQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Alarm that is on while the dead-letter queue contains messages. It has no action: add one to get notified. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PublishQueueProps) {
    super(scope, id);

    const consumerTimeout = props.consumer.timeout;
    if (consumerTimeout === undefined) {
      throw new Error(`The consumer function ${props.consumer.node.path} has no timeout: set one explicitly.`);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // With reportBatchItemFailures the consumer returns the ids of the failed messages, so only those are
    // received again and count towards MAX_RECEIVE_COUNT.
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: CONSUMER_BATCH_SIZE, reportBatchItemFailures: true }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        `The publish dead-letter queue holds messages that the consumer failed ${MAX_RECEIVE_COUNT} times. ` +
        'Read them, fix the cause, then move them back to the publish queue (SQS dead-letter queue redrive).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS publishes no data points for an inactive queue, and an empty, unused dead-letter queue is healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
