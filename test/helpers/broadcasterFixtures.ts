/** An Event Broadcaster spike's fields, as the plugin sends them (its JSON format). */
export const spikeFields = {
  event_type: 'spike',
  stream: 'example_data',
  source_node: 104,
  electrode: 'Electrode 1',
  num_channels: 4,
  sample_rate: 30000,
  sample_number: 193722,
  sorted_id: 2,
  amp1: 210.5,
  amp2: 150,
  amp3: 20,
  amp4: 5,
};
